import crypto from 'node:crypto';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { archiveCount, uploadArchive } from '../support/archive-fixtures.js';
import { createOrg, type OrgFixture } from '../support/fixtures.js';
import { startTestGateway, type TestGateway } from '../support/harness.js';
import { deflatedZeros, endRecord, localRecordOf, unicodePathField, zipOfEntries, type ZipEntrySpec } from '../support/zip.js';

// SPEC §7 "zip archives, validated at upload" (README "Uploading a zip archive"): every entry is
// read before anything is stored; each refusal is 400 BAD_USER_INPUT naming the reason, the entry
// and the limit, and stores nothing.

const MiB = 1024 * 1024;
const TIGHT = { ZIP_MAX_ENTRIES: '20', ZIP_MAX_UNCOMPRESSED_BYTES: String(MiB) };

interface Site {
  gw: TestGateway;
  org: OrgFixture;
}
let defaults: Site;
let tight: Site;

beforeAll(async () => {
  const start = async (env: Record<string, string>): Promise<Site> => {
    const gw = await startTestGateway(env);
    return { gw, org: await createOrg(gw) };
  };
  [defaults, tight] = await Promise.all([start({}), start(TIGHT)]);
});
afterAll(async () => Promise.all([defaults.gw.close(), tight.gw.close()]));

const zip = (...specs: ZipEntrySpec[]) => zipOfEntries(specs);
const py = 'print("hello from a crew")\n';
const truncatedDeflate = () => {
  const content = crypto.randomBytes(64 * 1024);
  const data = zlib.deflateRawSync(content);
  return zip({ name: 'main.py', deflated: { data: data.subarray(0, data.length >> 1), size: content.length, crc: zlib.crc32(content) } });
};
// "PK\3\4", 100 bytes of nothing, and an end record promising one entry: 126 bytes that pass a
// glance at the framing and nothing more.
const FAKE = Buffer.concat([Buffer.from('PK\x03\x04', 'latin1'), Buffer.alloc(100, 0x41), endRecord(1, 46, 40)]);

interface Row {
  case: string;
  site: () => Site;
  archive: () => Buffer;
  reason: string;
  entry?: string | RegExp;
  limit?: [name: string, max: number];
}

const ROWS: Row[] = [
  {
    case: 'an absolute path',
    site: () => defaults,
    archive: () => zip({ name: '/etc/passwd', content: 'root::0:0::/:/bin/sh\n' }),
    reason: 'ABSOLUTE_PATH',
    entry: '/etc/passwd',
  },
  // yauzl reads `\` as `/` and reports the name so.
  {
    case: 'a Windows drive path',
    site: () => defaults,
    archive: () => zip({ name: 'C:\\Windows\\System32\\evil.dll', content: 'MZ' }),
    reason: 'ABSOLUTE_PATH',
    entry: 'C:/Windows/System32/evil.dll',
  },
  { case: 'a backslash-rooted path', site: () => defaults, archive: () => zip({ name: '\\evil.py', content: py }), reason: 'ABSOLUTE_PATH', entry: '/evil.py' },
  {
    case: 'a ".." path',
    site: () => defaults,
    archive: () => zip({ name: '../../../../etc/cron.d/evil', content: '* * * * * root sh\n' }),
    reason: 'PARENT_PATH',
    entry: '../../../../etc/cron.d/evil',
  },
  {
    case: 'a ".." path with backslashes',
    site: () => defaults,
    archive: () => zip({ name: 'crew\\..\\..\\evil.py', content: py }),
    reason: 'PARENT_PATH',
    entry: 'crew/../../evil.py',
  },
  {
    case: 'a ".." raw name behind a harmless Unicode Path field',
    site: () => defaults,
    archive: () => zip({ name: '../evil.py', content: py, centralExtra: unicodePathField('../evil.py', 'ok.py') }),
    reason: 'PARENT_PATH',
    entry: '../evil.py',
  },
  {
    case: 'a NUL in a name',
    site: () => defaults,
    archive: () => zip({ name: 'main.py\u0000.txt', content: py }),
    reason: 'UNSAFE_NAME',
    entry: 'main.py\u0000.txt',
  },
  {
    case: 'a symbolic link',
    site: () => defaults,
    archive: () => zip({ name: 'main.py', content: py }, { name: 'crew/passwd', content: '/etc/passwd', unixMode: 0o120777 }),
    reason: 'SYMLINK',
    entry: 'crew/passwd',
  },
  { case: 'a FIFO', site: () => defaults, archive: () => zip({ name: 'pipe', unixMode: 0o010644 }), reason: 'SPECIAL_FILE', entry: 'pipe' },
  {
    case: 'the same name twice',
    site: () => defaults,
    archive: () => zip({ name: 'main.py', content: py }, { name: 'main.py', content: 'import os\n' }),
    reason: 'DUPLICATE_NAME',
    entry: 'main.py',
  },
  {
    case: 'the same path once normalized',
    site: () => defaults,
    archive: () => zip({ name: 'crew/a.py', content: py }, { name: './crew//a.py', content: py }),
    reason: 'DUPLICATE_NAME',
    entry: './crew//a.py',
  },
  {
    case: 'a file that is also a directory',
    site: () => defaults,
    archive: () => zip({ name: 'crew', content: py }, { name: 'crew/a.py', content: py }),
    reason: 'DUPLICATE_NAME',
    entry: 'crew/a.py',
  },
  {
    case: 'overlapping entries',
    site: () => defaults,
    archive: () => zip({ name: 'a.txt', content: localRecordOf({ name: 'b.txt', content: py }) }, { name: 'b.txt', content: py, at: 30 + 'a.txt'.length }),
    reason: 'OVERLAPPING_ENTRIES',
    entry: 'b.txt',
  },
  {
    case: '200 MiB of zeros in 204 KB',
    site: () => defaults,
    archive: () => zip({ name: 'bomb.bin', deflated: deflatedZeros(200 * MiB) }),
    reason: 'COMPRESSION_RATIO',
    entry: 'bomb.bin',
    limit: ['ZIP_MAX_RATIO', 100],
  },
  {
    case: 'many small entries that together inflate past the ratio',
    site: () => defaults,
    archive: () => zipOfEntries(Array.from({ length: 40 }, (_, i) => ({ name: `zeros-${i}.bin`, deflated: deflatedZeros(MiB) }))),
    reason: 'COMPRESSION_RATIO',
    entry: /^zeros-\d+\.bin$/,
    limit: ['ZIP_MAX_RATIO', 100],
  },
  {
    case: 'a header that understates the inflated size',
    site: () => defaults,
    archive: () => zip({ name: 'liar.bin', deflated: deflatedZeros(200 * MiB), declaredSize: 4 * MiB }),
    reason: 'CORRUPT_ENTRY',
    entry: 'liar.bin',
  },
  {
    case: 'a bad CRC-32',
    site: () => defaults,
    archive: () => zip({ name: 'main.py', content: py, crc: 0xdeadbeef }),
    reason: 'CORRUPT_ENTRY',
    entry: 'main.py',
  },
  { case: 'deflated data cut short', site: () => defaults, archive: truncatedDeflate, reason: 'CORRUPT_ENTRY', entry: 'main.py' },
  {
    case: 'a local header naming another file',
    site: () => defaults,
    archive: () => zip({ name: 'main.py', content: py, localName: 'evil.py' }),
    reason: 'CORRUPT_ENTRY',
    entry: 'main.py',
  },
  {
    case: 'an encrypted entry',
    site: () => defaults,
    archive: () => zip({ name: 'main.py', content: Buffer.alloc(12 + py.length), declaredSize: py.length, flags: 1 }),
    reason: 'UNSUPPORTED_ENTRY',
    entry: 'main.py',
  },
  {
    case: 'bzip2 compression',
    site: () => defaults,
    archive: () => zip({ name: 'main.py', content: py, method: 12 }),
    reason: 'UNSUPPORTED_ENTRY',
    entry: 'main.py',
  },
  { case: 'a 126-byte fake', site: () => defaults, archive: () => FAKE, reason: 'NOT_A_ZIP' },
  {
    case: 'more entries than ZIP_MAX_ENTRIES',
    site: () => tight,
    archive: () => zipOfEntries(Array.from({ length: 21 }, (_, i) => ({ name: `f${i}.py`, content: py }))),
    reason: 'TOO_MANY_ENTRIES',
    limit: ['ZIP_MAX_ENTRIES', 20],
  },
  {
    case: 'more inflated bytes than ZIP_MAX_UNCOMPRESSED_BYTES',
    site: () => tight,
    archive: () => zipOfEntries(Array.from({ length: 3 }, (_, i) => ({ name: `data-${i}.bin`, content: crypto.randomBytes(MiB / 2), deflate: true }))),
    reason: 'TOO_LARGE_UNCOMPRESSED',
    entry: 'data-2.bin',
    limit: ['ZIP_MAX_UNCOMPRESSED_BYTES', MiB],
  },
];

describe('a hostile or broken archive is 400 naming the reason, the entry and the limit, and nothing is stored', () => {
  it.each(ROWS.map((row) => [row.case, row] as const))('%s', async (_case, row) => {
    const { gw, org } = row.site();
    const before = await archiveCount(gw);
    const bytes = row.archive();
    expect(bytes.length).toBeLessThanOrEqual(gw.config.zipMaxBytes);
    const answer = await uploadArchive(gw, org.owner.token, org.organizationId, bytes);
    expect(answer.status, JSON.stringify(answer.body)).toBe(400);
    expect(answer.body).toMatchObject({ error: 'BAD_USER_INPUT', reason: row.reason, message: expect.any(String) });
    const message = String(answer.body.message);
    if (row.entry !== undefined) {
      expect(answer.body.entry).toEqual(typeof row.entry === 'string' ? row.entry : expect.stringMatching(row.entry));
      expect(message).toContain(JSON.stringify(answer.body.entry));
    } else {
      expect(answer.body).not.toHaveProperty('entry');
    }
    if (row.limit) {
      const [limitName, limit] = row.limit;
      expect(answer.body).toMatchObject({ limitName, limit });
      expect(message).toContain(limitName);
      expect(message).toContain(String(limit));
    }
    expect(await archiveCount(gw)).toBe(before);
  });
});

describe('an ordinary project archive is stored', () => {
  it('with deflated and stored files, directories, Unix modes, a non-ASCII name and a small file of padding: 201', async () => {
    const { gw, org } = defaults;
    const archive = zip(
      { name: 'crew/', unixMode: 0o040755 },
      { name: 'crew/agents.yaml', content: 'researcher:\n  role: Researcher\n'.repeat(50), deflate: true, unixMode: 0o100644 },
      { name: 'main.py', content: py, unixMode: 0o100755 },
      { name: 'données/é.txt', content: 'bonjour\n', deflate: true },
      // 64 KiB of spaces deflate about 600:1; entries this small are exempt from the ratio.
      { name: 'padding.txt', content: Buffer.alloc(64 * 1024, ' '), deflate: true },
      { name: 'empty/', unixMode: 0o040755 },
      { name: 'README' },
    );
    const answer = await uploadArchive(gw, org.owner.token, org.organizationId, archive);
    expect(answer.status, JSON.stringify(answer.body)).toBe(201);
    expect(answer.body.sha256).toBe(crypto.createHash('sha256').update(archive).digest('hex'));
  });

  it('at exactly ZIP_MAX_ENTRIES entries', async () => {
    const { gw, org } = tight;
    const archive = zipOfEntries(Array.from({ length: 20 }, (_, i) => ({ name: `f${i}.py`, content: py })));
    expect((await uploadArchive(gw, org.owner.token, org.organizationId, archive)).status).toBe(201);
  });

  it('inflating to exactly ZIP_MAX_UNCOMPRESSED_BYTES', async () => {
    const { gw, org } = tight;
    const archive = zipOfEntries([0, 1].map((i) => ({ name: `data-${i}.bin`, content: crypto.randomBytes(MiB / 2), deflate: true })));
    expect((await uploadArchive(gw, org.owner.token, org.organizationId, archive)).status).toBe(201);
  });
});
