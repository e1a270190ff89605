import zlib from 'node:zlib';
import yauzl, { type Entry, type ZipFile } from 'yauzl';
import { fileTypeProblem, NameRegistry, nameProblem } from './archive-names.js';
import { ArchiveRefusal, quoted, refuse, type ArchiveLimits, type ArchiveProblem } from './archive-problem.js';
import { zipProblem } from './zip-problem.js';

/**
 * Entries that inflate to at most this are exempt from the per-entry ratio: a small file of padding
 * or repeated lines compresses far beyond 100:1 and harms no one. The overall ratio and
 * ZIP_MAX_UNCOMPRESSED_BYTES still count them.
 */
export const RATIO_GRACE_BYTES = 1024 * 1024;

const STORED = 0;
const DEFLATED = 8;

export interface Inspection {
  problem: ArchiveProblem | null;
  /** Bytes inflated before the verdict: within the limits plus one chunk, whatever the headers say. */
  inflatedBytes: number;
}

/**
 * Reads every entry of an uploaded archive, as the runtime will extract it, and says why it must
 * not be stored (SPEC §7: "zip archives, validated at upload"), or gives null. Names, file types and
 * declared sizes are checked before an entry is inflated; the inflated bytes are counted as they
 * come, so that a header that lies about its size is stopped at the limit, not after it.
 */
export async function inspectArchive(bytes: Buffer, limits: ArchiveLimits): Promise<Inspection> {
  const framing = zipProblem(bytes);
  if (framing) return { problem: framing, inflatedBytes: 0 };
  const walk = new Walk(bytes, limits);
  try {
    await walk.run();
    return { problem: null, inflatedBytes: walk.inflated };
  } catch (error) {
    if (error instanceof ArchiveRefusal) return { problem: error.problem, inflatedBytes: walk.inflated };
    if (isReaderError(error)) return { problem: unreadable(error.message), inflatedBytes: walk.inflated };
    throw error;
  }
}

/** yauzl reports a malformed archive with a plain Error, zlib with a `Z_…` code; anything else is a bug of ours. */
function isReaderError(error: unknown): error is Error {
  if (!(error instanceof Error)) return false;
  return error.constructor === Error || ('code' in error && typeof error.code === 'string' && error.code.startsWith('Z_'));
}

/** A problem yauzl found while reading the central directory, before it handed us the entry. */
function unreadable(detail: string): ArchiveProblem {
  // yauzl's own name checks (decodeStrings: true) name the entry after the colon.
  const badName = /^(?:absolute path|invalid relative path|invalid characters in fileName): (.*)$/s.exec(detail);
  if (badName)
    return (
      nameProblem(badName[1] ?? '') ?? {
        reason: 'UNSAFE_NAME',
        entry: badName[1] ?? '',
        message: `Entry ${quoted(badName[1] ?? '')} has an unsafe name (${detail}); rename it and zip the project again.`,
      }
    );
  if (/encryption/.test(detail))
    return {
      reason: 'UNSUPPORTED_ENTRY',
      message: `The zip archive uses encryption (${detail}); upload an archive without a password (secrets belong in environment variables).`,
    };
  if (/size mismatch/.test(detail))
    return {
      reason: 'CORRUPT_ENTRY',
      message: `An entry of the zip archive is damaged (${detail}); re-create the archive with a standard zip tool and upload it again.`,
    };
  return {
    reason: 'NOT_A_ZIP',
    message: `The zip archive cannot be read (${detail}): the file is damaged or not a zip; re-create it with a standard zip tool and upload it again.`,
  };
}

function corrupt(name: string, detail: string): ArchiveProblem {
  return {
    reason: 'CORRUPT_ENTRY',
    entry: name,
    message: `Entry ${quoted(name)} is damaged: ${detail}. Re-create the archive with a standard zip tool and upload it again.`,
  };
}

class Walk {
  inflated = 0;
  private readonly names = new NameRegistry();
  private readonly extents = new Extents();

  constructor(
    private readonly bytes: Buffer,
    private readonly limits: ArchiveLimits,
  ) {}

  async run(): Promise<void> {
    // decodeStrings: yauzl decodes names (CP437 or UTF-8) and refuses absolute and `..` ones;
    // strictFileNames off: it reads `\` as `/` first, so `..\x` is refused as `../x` is.
    const zip = await yauzl.fromBufferPromise(this.bytes, {
      lazyEntries: true,
      autoClose: false,
      decodeStrings: true,
      validateEntrySizes: true,
      strictFileNames: false,
    });
    try {
      const { maxEntries } = this.limits;
      if (zip.entryCount > maxEntries) {
        refuse({
          reason: 'TOO_MANY_ENTRIES',
          limit: maxEntries,
          limitName: 'ZIP_MAX_ENTRIES',
          message: `The zip archive has ${zip.entryCount} entries; the limit is ${maxEntries} (ZIP_MAX_ENTRIES). Leave dependencies and build output (node_modules, .venv, dist) out of the zip, or ask the operator to raise ZIP_MAX_ENTRIES.`,
        });
      }
      if (zip.entryCount === 0)
        refuse({ reason: 'NO_FILES', message: "The zip archive contains no files: zip your automation's project directory and upload that." });
      for await (const entry of zip.eachEntry()) await this.entry(zip, entry);
    } finally {
      zip.close();
    }
  }

  private async entry(zip: ZipFile, entry: Entry): Promise<void> {
    const name = entry.fileName;
    const problem =
      nameProblem(name) ?? rawNameProblem(entry) ?? fileTypeProblem(name, entry.externalFileAttributes) ?? this.names.add(name, name.endsWith('/'));
    if (problem) refuse(problem);
    if (entry.isEncrypted()) {
      refuse({
        reason: 'UNSUPPORTED_ENTRY',
        entry: name,
        message: `Entry ${quoted(name)} is encrypted; upload an archive without a password (secrets belong in environment variables).`,
      });
    }
    if (entry.compressionMethod !== STORED && entry.compressionMethod !== DEFLATED) {
      refuse({
        reason: 'UNSUPPORTED_ENTRY',
        entry: name,
        message: `Entry ${quoted(name)} uses compression method ${entry.compressionMethod}; re-create the archive with deflate (method 8) or no compression, which every zip tool writes by default.`,
      });
    }
    // The declared size is checked first, so that an honest bomb is refused without inflating it.
    this.count(entry, entry.uncompressedSize, this.inflated + entry.uncompressedSize, true);
    try {
      const local = await zip.readLocalFileHeaderPromise(entry);
      // Extractors that read local headers (streaming unzip) would see another name than we checked.
      if (!local.fileName.equals(entry.fileNameRaw)) refuse(corrupt(name, 'its local header names a different file than the central directory'));
      const other = this.extents.add(name, entry.relativeOffsetOfLocalHeader, local.fileDataStart + entry.compressedSize);
      if (other !== null) {
        refuse({
          reason: 'OVERLAPPING_ENTRIES',
          entry: name,
          message: `Entries ${quoted(other)} and ${quoted(name)} share bytes in the archive, as zip bombs built of overlapping entries do; re-create the archive with a standard zip tool.`,
        });
      }
      await this.inflate(zip, entry);
    } catch (error) {
      if (isReaderError(error)) refuse(corrupt(name, error.message));
      throw error;
    }
  }

  private async inflate(zip: ZipFile, entry: Entry): Promise<void> {
    const stream = await zip.openReadStreamPromise(entry);
    let size = 0;
    let crc = 0;
    // Leaving the loop early (a refusal) destroys the stream: nothing more is inflated.
    for await (const chunk of stream) {
      if (!Buffer.isBuffer(chunk)) throw new TypeError('yauzl read stream yielded a non-Buffer chunk');
      size += chunk.length;
      this.inflated += chunk.length;
      this.count(entry, size, this.inflated, false);
      crc = zlib.crc32(chunk, crc);
    }
    // yauzl checks the inflated size of deflated entries (validateEntrySizes) but no entry's CRC.
    if (size !== entry.uncompressedSize) refuse(corrupt(entry.fileName, `it declares ${entry.uncompressedSize} bytes but holds ${size}`));
    if (crc !== entry.crc32) refuse(corrupt(entry.fileName, 'its CRC-32 does not match its contents'));
  }

  /** Refuses once the entry (`size` so far) or the archive (`total` so far) passes a limit. */
  private count(entry: Entry, size: number, total: number, declared: boolean): void {
    const { maxUncompressedBytes, maxRatio } = this.limits;
    const name = entry.fileName;
    const by = declared ? ' by the size it declares' : '';
    if (total > maxUncompressedBytes) {
      refuse({
        reason: 'TOO_LARGE_UNCOMPRESSED',
        entry: name,
        limit: maxUncompressedBytes,
        limitName: 'ZIP_MAX_UNCOMPRESSED_BYTES',
        message: `The zip archive inflates to more than ${maxUncompressedBytes} bytes (ZIP_MAX_UNCOMPRESSED_BYTES), passed at entry ${quoted(name)}${by}. Leave dependencies, data sets and build output (node_modules, .venv, dist) out of the zip, or ask the operator to raise ZIP_MAX_UNCOMPRESSED_BYTES.`,
      });
    }
    if (size > Math.max(RATIO_GRACE_BYTES, maxRatio * entry.compressedSize)) {
      refuse({
        reason: 'COMPRESSION_RATIO',
        entry: name,
        limit: maxRatio,
        limitName: 'ZIP_MAX_RATIO',
        message: `Entry ${quoted(name)} inflates to more than ${maxRatio} times its compressed size of ${entry.compressedSize} bytes (ZIP_MAX_RATIO)${by}, as a zip bomb does (entries of at most ${RATIO_GRACE_BYTES} bytes are exempt). Leave the file out and generate it at run time, or ask the operator to raise ZIP_MAX_RATIO.`,
      });
    }
    // Over the whole archive too: entries under the exemption add up.
    if (total > Math.max(RATIO_GRACE_BYTES, maxRatio * this.bytes.length)) {
      refuse({
        reason: 'COMPRESSION_RATIO',
        entry: name,
        limit: maxRatio,
        limitName: 'ZIP_MAX_RATIO',
        message: `The zip archive inflates to more than ${maxRatio} times its own size of ${this.bytes.length} bytes (ZIP_MAX_RATIO), passed at entry ${quoted(name)}${by}, as a zip bomb does. Leave such files out and generate them at run time, or ask the operator to raise ZIP_MAX_RATIO.`,
      });
    }
  }
}

/**
 * With an Info-ZIP Unicode Path field, yauzl names the entry from that field; an extractor that
 * ignores it reads the raw name, which must be as safe.
 */
function rawNameProblem(entry: Entry): ArchiveProblem | null {
  const raw = yauzl.getFileNameLowLevel(entry.generalPurposeBitFlag, entry.fileNameRaw, [], false);
  return raw === entry.fileName ? null : nameProblem(raw);
}

/** The byte ranges entries occupy (local header to end of data), sorted by start. */
class Extents {
  private readonly ranges: Array<{ start: number; end: number; name: string }> = [];

  /** Records the range; returns the name of an entry it overlaps, or null. */
  add(name: string, start: number, end: number): string | null {
    let low = 0;
    let high = this.ranges.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if ((this.ranges[middle]?.start ?? 0) < start) low = middle + 1;
      else high = middle;
    }
    const before = this.ranges[low - 1];
    if (before && before.end > start) return before.name;
    const after = this.ranges[low];
    if (after && after.start < end) return after.name;
    this.ranges.splice(low, 0, { start, end, name });
    return null;
  }
}
