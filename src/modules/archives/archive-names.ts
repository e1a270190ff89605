import { quoted, type ArchiveProblem } from './archive-problem.js';

// Backslashes count as separators: Windows tools write them (PowerShell 5's Compress-Archive) and
// some extractors follow them, so `..\x` must be refused like `../x`.
const SEPARATOR = /[\\/]/;
const CONTROL = /[\u0000-\u001f\u007f]/;

/**
 * Why extracting an entry of this name could write outside the directory it is extracted to, or
 * null. yauzl refuses most of these before an entry reaches us (it turns `\` into `/`, then
 * refuses a leading `/`, a drive letter and `..`); this check does not depend on that.
 */
export function nameProblem(name: string): ArchiveProblem | null {
  const entry = name;
  if (name === '' || CONTROL.test(name)) {
    return {
      reason: 'UNSAFE_NAME',
      entry,
      message: `Entry ${quoted(name)} has an empty name or control characters in it; rename the file and zip the project again.`,
    };
  }
  // `/x`, `\x`, `\\server\share`, `C:\x` and `C:x` (drive-relative) all leave the extraction directory.
  if (/^[\\/]/.test(name) || /^[A-Za-z]:/.test(name)) {
    return {
      reason: 'ABSOLUTE_PATH',
      entry,
      message: `Entry ${quoted(name)} has an absolute path; every entry must be relative to the archive's root. Zip the project directory's contents instead (cd project && zip -r ../crew.zip .).`,
    };
  }
  if (name.split(SEPARATOR).includes('..')) {
    return {
      reason: 'PARENT_PATH',
      entry,
      message: `Entry ${quoted(name)} has a ".." segment, which would write outside the directory the archive is extracted to. Zip the project directory's contents instead (cd project && zip -r ../crew.zip .).`,
    };
  }
  return null;
}

/**
 * The path an extractor creates for this name: separators unified, `.` and empty segments
 * dropped, Unicode composed (NFC, as macOS file systems compare names). Two entries with the same
 * normalized name would overwrite each other.
 */
export function normalizedName(name: string): string {
  return name
    .normalize('NFC')
    .split(SEPARATOR)
    .filter((segment) => segment !== '' && segment !== '.')
    .join('/');
}

// POSIX file types (the S_IFMT bits of st_mode), as Info-ZIP stores them in the high 16 bits of
// the external attributes.
const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;
const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;

/**
 * A symbolic link (it could point anywhere once extracted) or a device, FIFO or socket, or null for
 * a regular file or directory. The mode is read whatever host the archive claims to come from:
 * some extractors honour it either way.
 */
export function fileTypeProblem(name: string, externalFileAttributes: number): ArchiveProblem | null {
  const type = (externalFileAttributes >>> 16) & S_IFMT;
  if (type === 0 || type === S_IFREG || type === S_IFDIR) return null;
  if (type === S_IFLNK) {
    return {
      reason: 'SYMLINK',
      entry: name,
      message: `Entry ${quoted(name)} is a symbolic link; links are refused because they can point outside the project once extracted. Put the file it points to in the archive instead (zip without -y/--symlinks).`,
    };
  }
  return {
    reason: 'SPECIAL_FILE',
    entry: name,
    message: `Entry ${quoted(name)} is a device, FIFO or socket (Unix mode 0o${(externalFileAttributes >>> 16).toString(8)}); only regular files and directories can be deployed (a file read from a pipe, as by "zip -", is recorded as a FIFO: zip the file itself).`,
  };
}

/** Remembers the paths seen so far; refuses two entries that extract to the same path. */
export class NameRegistry {
  private readonly files = new Map<string, string>();
  private readonly directories = new Set<string>();

  /** The problem with adding this entry, or null (and the entry is remembered). */
  add(name: string, isDirectory: boolean): ArchiveProblem | null {
    const path = normalizedName(name);
    // `./` (written by some tools for the root itself) names nothing to extract.
    if (path === '')
      return isDirectory ? null : { reason: 'UNSAFE_NAME', entry: name, message: `Entry ${quoted(name)} names no file; rename it and zip the project again.` };
    const segments = path.split('/');
    // Every parent of an entry is a directory (a directory entry is its own): a file of the same
    // path would collide with it. A directory named twice is harmless.
    const directories = isDirectory ? segments.length : segments.length - 1;
    for (let i = 1; i <= directories; i++) {
      const directory = segments.slice(0, i).join('/');
      if (this.files.has(directory)) return clash(directory, name);
      this.directories.add(directory);
    }
    if (isDirectory) return null;
    const earlier = this.files.get(path);
    if (earlier !== undefined) return duplicate(name, earlier);
    if (this.directories.has(path)) return clash(path, name);
    this.files.set(path, name);
    return null;
  }
}

function duplicate(name: string, earlier: string): ArchiveProblem {
  const as = name === earlier ? '' : ` (as ${quoted(earlier)} and ${quoted(name)}, the same path once extracted)`;
  return {
    reason: 'DUPLICATE_NAME',
    entry: name,
    message: `Entry ${quoted(name)} appears twice${as}; extracting would overwrite one with the other. Remove the duplicate and zip the project again.`,
  };
}

function clash(path: string, name: string): ArchiveProblem {
  return {
    reason: 'DUPLICATE_NAME',
    entry: name,
    message: `Entry ${quoted(name)} and an earlier entry make ${quoted(path)} both a file and a directory; extracting would overwrite one with the other. Rename one of them and zip the project again.`,
  };
}
