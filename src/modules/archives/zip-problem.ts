import type { ArchiveProblem } from './archive-problem.js';

// Zip signatures (PKWARE APPNOTE 4.3.7 and 4.3.16): a local file header starts every archive that
// holds a file; an archive with no entries is only the end-of-central-directory record.
const LOCAL_FILE_HEADER = Buffer.from([0x50, 0x4b, 0x03, 0x04]);
const END_OF_CENTRAL_DIRECTORY = Buffer.from([0x50, 0x4b, 0x05, 0x06]);
const EOCD_SIZE = 22;
const MAX_COMMENT = 0xffff;

/** Offset of the end-of-central-directory record whose comment runs exactly to the end, or -1. */
function endRecordOffset(bytes: Buffer): number {
  const lowest = Math.max(0, bytes.length - EOCD_SIZE - MAX_COMMENT);
  for (let offset = bytes.length - EOCD_SIZE; offset >= lowest; offset--) {
    if (bytes.subarray(offset, offset + 4).equals(END_OF_CENTRAL_DIRECTORY) && offset + EOCD_SIZE + bytes.readUInt16LE(offset + 20) === bytes.length) {
      return offset;
    }
  }
  return -1;
}

/**
 * Why these bytes are not an archive Gatehouse can deploy, or null when they are. A cheap check of
 * the framing only (first header and end record), so that a wrong file, a multipart form or a cut
 * upload is refused with a message that says which; src/modules/archives/inspect-archive.ts reads
 * every entry afterwards.
 */
export function zipProblem(bytes: Buffer): ArchiveProblem | null {
  const notZip = (message: string): ArchiveProblem => ({ reason: 'NOT_A_ZIP', message });
  const noFiles: ArchiveProblem = {
    reason: 'NO_FILES',
    message: "The zip archive contains no files: zip your automation's project directory and upload that.",
  };
  if (bytes.length === 0) return notZip("The request body is empty: send the zip archive's bytes as the body.");
  const start = bytes.subarray(0, 4);
  if (start.equals(END_OF_CENTRAL_DIRECTORY)) return noFiles;
  if (!start.equals(LOCAL_FILE_HEADER)) {
    return notZip(
      "The body is not a zip archive (it does not start with a zip file header): send the .zip file's raw bytes as the body, not a multipart form or base64.",
    );
  }
  const end = endRecordOffset(bytes);
  if (end < 0)
    return notZip('The zip archive is incomplete (it has no end-of-central-directory record): the file is damaged or the upload was cut off; upload it again.');
  // Total entries; 0xffff means the count lives in a ZIP64 record, which a non-empty archive needs.
  if (bytes.readUInt16LE(end + 10) === 0) return noFiles;
  return null;
}
