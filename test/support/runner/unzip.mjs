// Unpacks a verified archive into a directory with yauzl, the zip reader the gateway validates
// uploads with. yauzl refuses absolute names and ".." (decodeStrings validates every file name)
// and checks each entry's size against its header; symlinks are refused here, so that nothing
// the archive holds can point outside the directory it is unpacked into.
import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import yauzl from 'yauzl';

const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;

const open = (buffer) =>
  new Promise((resolve, reject) =>
    yauzl.fromBuffer(buffer, { lazyEntries: true, validateEntrySizes: true }, (error, zip) => (error ? reject(error) : resolve(zip))),
  );

/** Writes every file of `buffer` (a zip archive) under `dir`; returns the names written. */
export async function unzipInto(buffer, dir) {
  const zip = await open(buffer);
  const names = [];
  await new Promise((resolve, reject) => {
    zip.on('error', reject);
    zip.on('end', resolve);
    zip.on('entry', (entry) => {
      void (async () => {
        // Unix mode bits live in the high half of the external attributes (APPNOTE 4.4.15).
        if (((entry.externalFileAttributes >>> 16) & S_IFMT) === S_IFLNK)
          throw new Error(`${entry.fileName} is a symbolic link; archives may hold files and directories only.`);
        const target = path.join(dir, entry.fileName);
        if (entry.fileName.endsWith('/')) {
          await fs.promises.mkdir(target, { recursive: true });
        } else {
          await fs.promises.mkdir(path.dirname(target), { recursive: true });
          const stream = await new Promise((ok, fail) => zip.openReadStream(entry, (error, s) => (error ? fail(error) : ok(s))));
          await pipeline(stream, fs.createWriteStream(target, { flags: 'wx' }));
          names.push(entry.fileName);
        }
        zip.readEntry();
      })().catch((error) => {
        zip.close();
        reject(error);
      });
    });
    zip.readEntry();
  });
  return names;
}
