import { describe, expect, it } from 'vitest';
import { normalizedName, NameRegistry } from '../../src/modules/archives/archive-names.js';
import { inspectArchive } from '../../src/modules/archives/inspect-archive.js';
import { deflatedZeros, zipOfEntries } from '../support/zip.js';

// The property the upload endpoint cannot show from outside: how much is inflated before a
// hostile archive is refused (README "Uploading a zip archive").
const MiB = 1024 * 1024;
const LIMITS = { maxEntries: 10_000, maxUncompressedBytes: 256 * MiB, maxRatio: 100 };
// zlib hands inflated data on in chunks of 16 KiB; a refusal may come one chunk late.
const CHUNK = 16 * 1024;

describe('inflating stops at the limit, whatever the headers say', () => {
  it('an honest bomb (200 MiB declared, 204 KB compressed) is refused before a byte is inflated', async () => {
    const { problem, inflatedBytes } = await inspectArchive(zipOfEntries([{ name: 'bomb.bin', deflated: deflatedZeros(200 * MiB) }]), LIMITS);
    expect(problem).toMatchObject({ reason: 'COMPRESSION_RATIO', entry: 'bomb.bin', limitName: 'ZIP_MAX_RATIO' });
    expect(inflatedBytes).toBe(0);
  });

  it('a bomb that declares 4 MiB is stopped within a chunk of 4 MiB, not at 200 MiB', async () => {
    const { problem, inflatedBytes } = await inspectArchive(
      zipOfEntries([{ name: 'liar.bin', deflated: deflatedZeros(200 * MiB), declaredSize: 4 * MiB }]),
      LIMITS,
    );
    expect(problem).toMatchObject({ reason: 'CORRUPT_ENTRY', entry: 'liar.bin' });
    expect(inflatedBytes).toBeLessThanOrEqual(4 * MiB + CHUNK);
  });

  it('entries under the per-entry exemption are stopped by the whole-archive ratio, within a chunk', async () => {
    const archive = zipOfEntries(Array.from({ length: 100 }, (_, i) => ({ name: `zeros-${i}.bin`, deflated: deflatedZeros(MiB) })));
    const { problem, inflatedBytes } = await inspectArchive(archive, LIMITS);
    expect(problem).toMatchObject({ reason: 'COMPRESSION_RATIO', limit: 100 });
    expect(inflatedBytes).toBeLessThanOrEqual(100 * archive.length + CHUNK);
  });

  it('an ordinary archive is read to the end', async () => {
    const content = 'print("hello")\n'.repeat(1000);
    const { problem, inflatedBytes } = await inspectArchive(
      zipOfEntries([
        { name: 'main.py', content, deflate: true },
        { name: 'README', content: 'x' },
      ]),
      LIMITS,
    );
    expect(problem).toBeNull();
    expect(inflatedBytes).toBe(content.length + 1);
  });
});

describe('names are compared as they extract', () => {
  it.each([
    ['a/b', 'a/b'],
    ['./a//b/', 'a/b'],
    ['a\\b', 'a/b'],
    ['e\u0301.txt', 'é.txt'],
  ])('%j extracts to %j', (name, path) => {
    expect(normalizedName(name)).toBe(path);
  });

  it('a directory named twice is harmless; a file named twice, or a file and a directory of one path, is not', () => {
    const names = new NameRegistry();
    expect(names.add('crew/', true)).toBeNull();
    expect(names.add('crew/a.py', false)).toBeNull();
    expect(names.add('crew', true)).toBeNull();
    expect(names.add('crew/a.py', false)).toMatchObject({ reason: 'DUPLICATE_NAME' });
    expect(names.add('crew', false)).toMatchObject({ reason: 'DUPLICATE_NAME', entry: 'crew' });
    expect(names.add('crew/a.py/b', false)).toMatchObject({ reason: 'DUPLICATE_NAME', entry: 'crew/a.py/b' });
  });
});
