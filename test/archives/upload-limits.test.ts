import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARCHIVE_UPLOAD_PATH } from '../../src/http/upload-archive.js';
import { archiveCount, uploadArchive } from '../support/archive-fixtures.js';
import { addMember, createOrg, type OrgFixture } from '../support/fixtures.js';
import { startTestGateway, type TestGateway } from '../support/harness.js';
import { zipOf } from '../support/zip.js';

// Issue 15 §2: uploads are bounded in rate per credential and per organization, in how many are in
// progress at once, and in the bytes an organization stores. Each refusal is the upload endpoint's
// `{error, message}` carrying the body /graphql gives for its limits (README "Rate limits").

const archive = (bytes: number) => zipOf({ 'main.py': Buffer.alloc(bytes, 'x') });
const NOT_A_ZIP = Buffer.from('not a zip: refused after its slot was taken, so nothing is stored');

interface Raw {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Record<string, unknown>;
}

/** An upload sent by hand: `declare` Content-Length (or chunked when false), and `send` only some bytes to hold it open. */
function rawUpload(gw: TestGateway, token: string, organizationId: number, body: Buffer, options: { declare?: boolean; send?: number } = {}) {
  const url = new URL(ARCHIVE_UPLOAD_PATH, gw.url);
  url.searchParams.set('organizationId', String(organizationId));
  const headers: http.OutgoingHttpHeaders = { authorization: `Bearer ${token}`, 'content-type': 'application/zip' };
  if (options.declare === false) headers['transfer-encoding'] = 'chunked';
  else headers['content-length'] = String(body.length);
  const request = http.request(url, { method: 'POST', headers });
  const answer = new Promise<Raw>((resolve, reject) => {
    request.on('response', (response) => {
      let text = '';
      response.on('data', (chunk: Buffer) => (text += chunk.toString()));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: JSON.parse(text) as Record<string, unknown> }));
    });
    request.on('error', reject);
  });
  if (options.send === undefined) request.end(body);
  else request.write(body.subarray(0, options.send));
  return { answer, finish: () => request.end(body.subarray(options.send ?? body.length)), abort: () => request.destroy() };
}

/**
 * Sends bytes that are not a zip until the answer is `status`: 429 once a slot is held, 400 once it
 * is free again. A head start first, so that a probe rarely takes the slot a held upload is about to.
 */
async function until(gw: TestGateway, token: string, organizationId: number, status: 400 | 429): Promise<Raw> {
  await new Promise((resolve) => setTimeout(resolve, 100));
  for (let attempt = 0; ; attempt++) {
    const answer = await rawUpload(gw, token, organizationId, NOT_A_ZIP).answer;
    if (answer.status === status || attempt === 100) return answer;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function expectLimit(answer: Raw, status: number, code: string, limit: Record<string, unknown>): void {
  expect(answer.status, JSON.stringify(answer.body)).toBe(status);
  expect(answer.body).toMatchObject({
    error: code,
    message: expect.any(String),
    errors: [{ message: answer.body.message, extensions: { code, limit, requestId: expect.any(String) } }],
  });
}

describe('rate limits (UPLOAD_RATE_LIMIT_PER_TOKEN, UPLOAD_RATE_LIMIT_PER_ORGANIZATION)', () => {
  let gw: TestGateway;
  let org: OrgFixture;
  beforeAll(async () => {
    gw = await startTestGateway({ UPLOAD_RATE_LIMIT_PER_TOKEN: '2', UPLOAD_RATE_LIMIT_PER_ORGANIZATION: '4', UPLOAD_RATE_LIMIT_WINDOW_SECONDS: '600' });
    org = await createOrg(gw);
  });
  afterAll(async () => gw.close());

  it('the third upload of one credential is 429 RATE_LIMITED with Retry-After; another credential of the organization still uploads', async () => {
    expect((await uploadArchive(gw, org.owner.token, org.organizationId, archive(10))).status).toBe(201);
    expect((await uploadArchive(gw, org.owner.token, org.organizationId, archive(11))).status).toBe(201);
    const before = await archiveCount(gw);
    const refused = await rawUpload(gw, org.owner.token, org.organizationId, archive(12)).answer;
    expectLimit(refused, 429, 'RATE_LIMITED', { name: 'uploadsPerToken', max: 2 });
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(500);
    expect(refused.body.message).toContain('UPLOAD_RATE_LIMIT_PER_TOKEN');
    expect(await archiveCount(gw)).toBe(before);
    const member = await addMember(gw, org.organizationId, org.memberRoleId);
    expect((await uploadArchive(gw, member.token, org.organizationId, archive(13))).status).toBe(201);
  });

  // Refused uploads count too, as for /graphql: the organization has had 4 by now.
  it("past the organization's budget every credential of it is refused; another organization is not", async () => {
    const member = await addMember(gw, org.organizationId, org.memberRoleId);
    expectLimit(await rawUpload(gw, member.token, org.organizationId, archive(14)).answer, 429, 'RATE_LIMITED', { name: 'uploadsPerOrganization', max: 4 });
    const elsewhere = await createOrg(gw);
    expect((await uploadArchive(gw, elsewhere.owner.token, elsewhere.organizationId, archive(15))).status).toBe(201);
  });

  it("counts only uploads the caller may make: a stranger cannot spend an organization's budget", async () => {
    const target = await createOrg(gw);
    const stranger = await createOrg(gw);
    for (let i = 0; i < 4; i++) expect((await uploadArchive(gw, stranger.owner.token, target.organizationId, archive(16))).status).toBe(404);
    expect((await uploadArchive(gw, target.owner.token, target.organizationId, archive(17))).status).toBe(201);
  });
});

describe('uploads in progress (UPLOAD_CONCURRENCY_PER_TOKEN, _PER_ORGANIZATION, UPLOAD_CONCURRENCY)', () => {
  let gw: TestGateway;
  let a: OrgFixture;
  let b: OrgFixture;
  let c: OrgFixture;
  const big = archive(64 * 1024);
  beforeAll(async () => {
    gw = await startTestGateway({
      UPLOAD_CONCURRENCY_PER_TOKEN: '1',
      UPLOAD_CONCURRENCY_PER_ORGANIZATION: '2',
      UPLOAD_CONCURRENCY: '3',
      ZIP_MAX_BYTES: String(128 * 1024),
    });
    [a, b, c] = await Promise.all([createOrg(gw), createOrg(gw), createOrg(gw)]);
  });
  afterAll(async () => gw.close());

  it('refuses past each cap with 429 naming it, and lets the held uploads finish and store', async () => {
    const member = await addMember(gw, a.organizationId, a.memberRoleId);
    const third = await addMember(gw, a.organizationId, a.memberRoleId);
    const first = rawUpload(gw, a.owner.token, a.organizationId, big, { send: 1024 });
    const perToken = await until(gw, a.owner.token, a.organizationId, 429);
    expectLimit(perToken, 429, 'RATE_LIMITED', { name: 'uploadsInProgressPerToken', max: 1 });
    expect(perToken.headers['retry-after']).toBe('5');
    expect(perToken.body.message).toContain('UPLOAD_CONCURRENCY_PER_TOKEN');

    const second = rawUpload(gw, member.token, a.organizationId, big, { send: 1024 });
    expectLimit(await until(gw, third.token, a.organizationId, 429), 429, 'RATE_LIMITED', { name: 'uploadsInProgressPerOrganization', max: 2 });

    const elsewhere = rawUpload(gw, b.owner.token, b.organizationId, big, { send: 1024 });
    expectLimit(await until(gw, c.owner.token, c.organizationId, 429), 429, 'RATE_LIMITED', { name: 'uploadsInProgress', max: 3 });

    const before = await archiveCount(gw);
    for (const held of [first, second, elsewhere]) held.finish();
    expect((await Promise.all([first.answer, second.answer, elsewhere.answer])).map((answer) => answer.status)).toEqual([201, 201, 201]);
    expect(await archiveCount(gw)).toBe(before + 3);
    expect((await until(gw, c.owner.token, c.organizationId, 400)).status).toBe(400);
  });

  it('gives the slot back when the client goes away mid-upload, and after a refusal', async () => {
    const held = rawUpload(gw, a.owner.token, a.organizationId, big, { send: 1024 });
    held.answer.catch(() => undefined);
    expect((await until(gw, a.owner.token, a.organizationId, 429)).status).toBe(429);
    held.abort();
    expect((await until(gw, a.owner.token, a.organizationId, 400)).status).toBe(400);
    // Over ZIP_MAX_BYTES while streaming: refused, and the slot is free again at once.
    const over = await rawUpload(gw, a.owner.token, a.organizationId, Buffer.alloc(200 * 1024, 'x'), { declare: false }).answer;
    expect(over).toMatchObject({ status: 413, body: { error: 'PAYLOAD_TOO_LARGE' } });
    expect((await uploadArchive(gw, a.owner.token, a.organizationId, archive(10))).status).toBe(201);
  });

  it('a Content-Length over ZIP_MAX_BYTES is 413 before a byte of the body is sent', async () => {
    const before = await archiveCount(gw);
    const declared = rawUpload(gw, a.owner.token, a.organizationId, Buffer.alloc(200 * 1024), { send: 0 });
    expect(await declared.answer).toMatchObject({ status: 413, body: { error: 'PAYLOAD_TOO_LARGE', limit: 128 * 1024 } });
    declared.abort();
    expect(await archiveCount(gw)).toBe(before);
  });
});

describe('the storage quota (ARCHIVE_QUOTA_BYTES)', () => {
  const QUOTA = 20_000;
  const stored = archive(8_000);
  let gw: TestGateway;
  let org: OrgFixture;
  beforeAll(async () => {
    gw = await startTestGateway({ ARCHIVE_QUOTA_BYTES: String(QUOTA) });
    org = await createOrg(gw);
    expect((await uploadArchive(gw, org.owner.token, org.organizationId, stored)).status).toBe(201);
  });
  afterAll(async () => gw.close());

  it('refuses from Content-Length, before the body is read, saying what is stored and how to make room', async () => {
    const before = await archiveCount(gw);
    const tooBig = archive(14_000);
    const held = rawUpload(gw, org.owner.token, org.organizationId, tooBig, { send: 0 });
    const answer = await held.answer;
    held.abort();
    expectLimit(answer, 413, 'ARCHIVE_QUOTA_EXCEEDED', { name: 'archiveBytesPerOrganization', max: QUOTA, actual: stored.length + tooBig.length });
    expect(answer.body.message).toContain(
      `stores ${stored.length} bytes of automation archives; this upload of ${tooBig.length} bytes would pass its quota of ${QUOTA} bytes (ARCHIVE_QUOTA_BYTES)`,
    );
    expect(answer.body.message).toContain(
      `${stored.length} bytes of it are archives no deployment was made from, deleted 24 h after upload (ARCHIVE_RETENTION_HOURS), the first at 20`,
    );
    expect(answer.body.message).toContain('ask the operator to raise ARCHIVE_QUOTA_BYTES');
    expect(await archiveCount(gw)).toBe(before);
  });

  it('without Content-Length, refuses when it would be stored; another organization has its own quota', async () => {
    const before = await archiveCount(gw);
    const chunked = await rawUpload(gw, org.owner.token, org.organizationId, archive(14_000), { declare: false }).answer;
    expectLimit(chunked, 413, 'ARCHIVE_QUOTA_EXCEEDED', { name: 'archiveBytesPerOrganization', max: QUOTA });
    expect(await archiveCount(gw)).toBe(before);
    const other = await createOrg(gw);
    expect((await uploadArchive(gw, other.owner.token, other.organizationId, archive(14_000))).status).toBe(201);
  });

  it('two uploads that each fit in the room left, but not both, store one', async () => {
    const answers = await Promise.all([archive(6_000), archive(6_001)].map((body) => rawUpload(gw, org.owner.token, org.organizationId, body).answer));
    expect(answers.map((answer) => answer.status).sort()).toEqual([201, 413]);
  });
});
