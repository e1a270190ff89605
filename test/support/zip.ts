import zlib from 'node:zlib';

/** One entry of a hand-made archive; everything but the name is optional, and may lie. */
export interface ZipEntrySpec {
  /** The name as stored; a Buffer for bytes that are not UTF-8. */
  name: string | Buffer;
  content?: string | Buffer;
  /** Deflate the content (method 8) instead of storing it (method 0). */
  deflate?: boolean;
  /** Already-deflated data and what it inflates to: for bombs too large to build in memory. */
  deflated?: Deflated;
  /** Unix mode with its type bits, written as a Unix host writes it (0o120777: a symbolic link). */
  unixMode?: number;
  /** The uncompressed size both headers declare, when it should differ from the truth. */
  declaredSize?: number;
  /** The CRC-32 both headers declare, when it should differ from the truth. */
  crc?: number;
  /** The name in the local header, when it should differ from the central directory's. */
  localName?: string;
  /** Compression method to declare, when it should differ from what the data is. */
  method?: number;
  /** General-purpose flags added to UTF-8 (1: traditional encryption). */
  flags?: number;
  /** Extra field of the central directory record (e.g. an Info-ZIP Unicode Path field). */
  centralExtra?: Buffer;
  /** Write no local record: the central record points at this offset (overlapping entries). */
  at?: number;
}

export interface Deflated {
  data: Buffer;
  size: number;
  crc: number;
}

interface Laid {
  spec: ZipEntrySpec;
  name: Buffer;
  method: number;
  data: Buffer;
  size: number;
  crc: number;
}

function lay(spec: ZipEntrySpec): Laid {
  const name = Buffer.isBuffer(spec.name) ? spec.name : Buffer.from(spec.name, 'utf8');
  if (spec.deflated)
    return {
      spec,
      name,
      method: spec.method ?? 8,
      data: spec.deflated.data,
      size: spec.declaredSize ?? spec.deflated.size,
      crc: spec.crc ?? spec.deflated.crc,
    };
  const content = spec.content === undefined ? Buffer.alloc(0) : Buffer.isBuffer(spec.content) ? spec.content : Buffer.from(spec.content, 'utf8');
  const data = spec.deflate ? zlib.deflateRawSync(content) : content;
  return { spec, name, method: spec.method ?? (spec.deflate ? 8 : 0), data, size: spec.declaredSize ?? content.length, crc: spec.crc ?? zlib.crc32(content) };
}

/**
 * A zip archive of the given entries (PKWARE APPNOTE 4.3): local file headers, the central
 * directory and its end record. Honest by default; each option makes one header lie, so that
 * tests can build the hostile archives the upload must refuse without a zip dependency.
 */
export function zipOfEntries(specs: ZipEntrySpec[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const laid of specs.map(lay)) {
    const { spec, name, method, data, size, crc } = laid;
    const extra = spec.centralExtra ?? Buffer.alloc(0);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    // Version made by: 2.0, on MS-DOS (0) unless a Unix mode is given (3: Unix, APPNOTE 4.4.2).
    central.writeUInt16LE(spec.unixMode === undefined ? 20 : 0x0314, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(flagsOf(spec), 8);
    central.writeUInt16LE(method, 10);
    central.writeUInt16LE(0, 12);
    central.writeUInt16LE(0x21, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(size, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt16LE(extra.length, 30);
    // External attributes: the Unix mode in the high 16 bits, as Info-ZIP writes it.
    central.writeUInt32LE(spec.unixMode === undefined ? 0 : (spec.unixMode << 16) >>> 0, 38);
    central.writeUInt32LE(spec.at ?? offset, 42);
    centrals.push(central, name, extra);
    if (spec.at === undefined) {
      const local = localRecord(laid);
      locals.push(local);
      offset += local.length;
    }
  }
  const directory = Buffer.concat(centrals);
  return Buffer.concat([...locals, directory, endRecord(specs.length, directory.length, offset)]);
}

function flagsOf(spec: ZipEntrySpec): number {
  return 0x0800 | (spec.flags ?? 0); // names are UTF-8
}

function localRecord({ spec, name, method, data, size, crc }: Laid): Buffer {
  const localName = spec.localName === undefined ? name : Buffer.from(spec.localName, 'utf8');
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4); // version needed: 2.0
  local.writeUInt16LE(flagsOf(spec), 6);
  local.writeUInt16LE(method, 8);
  local.writeUInt16LE(0, 10); // time 00:00
  local.writeUInt16LE(0x21, 12); // date 1980-01-01
  local.writeUInt32LE(crc, 14);
  local.writeUInt32LE(data.length, 18);
  local.writeUInt32LE(size, 22);
  local.writeUInt16LE(localName.length, 26);
  local.writeUInt16LE(0, 28);
  return Buffer.concat([local, localName, data]);
}

/** An entry's local header and data alone: to hide one entry inside another's bytes. */
export function localRecordOf(spec: ZipEntrySpec): Buffer {
  return localRecord(lay(spec));
}

/** A valid zip archive holding the given files, stored without compression. */
export function zipOf(files: Record<string, string | Buffer>): Buffer {
  return zipOfEntries(Object.entries(files).map(([name, content]) => ({ name, content })));
}

export function endRecord(entries: number, directorySize: number, directoryOffset: number): Buffer {
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries, 8);
  end.writeUInt16LE(entries, 10);
  end.writeUInt32LE(directorySize, 12);
  end.writeUInt32LE(directoryOffset, 16);
  return end;
}

/** A zip archive with no entries: only the end record. */
export const EMPTY_ZIP = endRecord(0, 0, 0);

let zeroPiece: Buffer | undefined;

/**
 * `size` zero bytes deflated, without ever holding them: one MiB of zeros is deflated once with a
 * sync flush (a byte-aligned, non-final block that refers only to itself), repeated, and closed
 * with an empty final block. 200 MiB come to about 204 KB, the ratio of a zip bomb.
 */
export function deflatedZeros(size: number): Deflated {
  const chunk = 1024 * 1024;
  if (size % chunk !== 0) throw new Error('deflatedZeros: size must be a whole number of MiB');
  const zeros = Buffer.alloc(chunk);
  zeroPiece ??= zlib.deflateRawSync(zeros, { level: 9, finishFlush: zlib.constants.Z_SYNC_FLUSH });
  const piece = zeroPiece;
  let crc = 0;
  for (let i = 0; i < size / chunk; i++) crc = zlib.crc32(zeros, crc);
  // 0x03 0x00: a final block with fixed Huffman codes holding only its end-of-block code.
  const data = Buffer.concat([...Array.from({ length: size / chunk }, () => piece), Buffer.from([0x03, 0x00])]);
  return { data, size, crc };
}

/**
 * An Info-ZIP Unicode Path extra field (0x7075, APPNOTE 4.6.9): extractors that read it name the
 * entry `unicodeName`; those that do not use the raw name, which the field's CRC-32 vouches for.
 */
export function unicodePathField(rawName: string, unicodeName: string): Buffer {
  const name = Buffer.from(unicodeName, 'utf8');
  const field = Buffer.alloc(9);
  field.writeUInt16LE(0x7075, 0);
  field.writeUInt16LE(5 + name.length, 2);
  field.writeUInt8(1, 4); // version
  field.writeUInt32LE(zlib.crc32(Buffer.from(rawName, 'utf8')), 5);
  return Buffer.concat([field, name]);
}
