/**
 * Why an uploaded archive is refused (SPEC §7: "zip archives, validated at upload"). The upload
 * answers 400 `BAD_USER_INPUT` with the reason, the entry it concerns and the limit it passed, so
 * that a client can tell a damaged file from a zip bomb without parsing the message.
 */
export type ArchiveRejection =
  | 'NOT_A_ZIP'
  | 'NO_FILES'
  | 'CORRUPT_ENTRY'
  | 'UNSUPPORTED_ENTRY'
  | 'ABSOLUTE_PATH'
  | 'PARENT_PATH'
  | 'UNSAFE_NAME'
  | 'SYMLINK'
  | 'SPECIAL_FILE'
  | 'DUPLICATE_NAME'
  | 'OVERLAPPING_ENTRIES'
  | 'TOO_MANY_ENTRIES'
  | 'TOO_LARGE_UNCOMPRESSED'
  | 'COMPRESSION_RATIO';

export type ArchiveLimitName = 'ZIP_MAX_ENTRIES' | 'ZIP_MAX_UNCOMPRESSED_BYTES' | 'ZIP_MAX_RATIO';

export interface ArchiveProblem {
  reason: ArchiveRejection;
  /** Says what is wrong and what to do about it. */
  message: string;
  /** The entry's name as the archive stores it, when one entry is at fault. */
  entry?: string;
  /** The limit passed, with the setting that raises it. */
  limit?: number;
  limitName?: ArchiveLimitName;
}

/** What an archive may hold once inflated (README "Configuration": ZIP_MAX_*). */
export interface ArchiveLimits {
  maxEntries: number;
  maxUncompressedBytes: number;
  maxRatio: number;
}

/** Thrown inside the inspection to stop at the first problem; never leaves src/modules/archives. */
export class ArchiveRefusal extends Error {
  constructor(readonly problem: ArchiveProblem) {
    super(problem.message);
  }
}

export function refuse(problem: ArchiveProblem): never {
  throw new ArchiveRefusal(problem);
}

/** An entry name quoted for a message: control characters and quotes escaped. */
export function quoted(name: string): string {
  return JSON.stringify(name);
}
