import crypto from 'node:crypto';
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARCHIVE_UPLOAD_PATH } from '../../src/http/upload-archive.js';
import { updateOrganization } from '../../src/modules/organizations/organizations.repository.js';
import { addMember, addServiceAccount, createOrg, createRole, type Actor, type OrgFixture } from '../support/fixtures.js';
import { startTestGateway, type TestGateway } from '../support/harness.js';
import { EMPTY_ZIP, zipOf } from '../support/zip.js';

// SPEC §4 "deploy from Zip": crews_dashboards >= READ and zip deployments not disabled by the
// organization; SPEC §1: another tenant's organization id answers like one that does not exist.

interface Answer {
  status: number;
  body: Record<string, unknown>;
  headers: Headers;
}

interface UploadOptions {
  method?: string;
  contentType?: string | null;
  organizationId?: string;
}

const ARCHIVE = zipOf({ 'main.py': 'print("hello from a crew")\n', 'crew/agents.yaml': 'researcher:\n  role: Researcher\n' });

let gw: TestGateway;
let org: OrgFixture;
let other: OrgFixture;

async function upload(gateway: TestGateway, token: string | undefined, body: Buffer | null, options: UploadOptions = {}): Promise<Answer> {
  const url = new URL(ARCHIVE_UPLOAD_PATH, gateway.url);
  url.searchParams.set('organizationId', options.organizationId ?? String(org.organizationId));
  const headers: Record<string, string> = {};
  if (token) headers.authorization = `Bearer ${token}`;
  const contentType = options.contentType === undefined ? 'application/zip' : options.contentType;
  if (contentType !== null) headers['content-type'] = contentType;
  const response = await fetch(url, { method: options.method ?? 'POST', headers, ...(body ? { body } : {}) });
  return { status: response.status, body: (await response.json()) as Record<string, unknown>, headers: response.headers };
}

async function archiveCount(gateway: TestGateway = gw): Promise<number> {
  const row = await gateway.db
    .selectFrom('automationArchives')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

/** Asserts the refusal and that nothing was stored. */
async function expectRefused(answer: Promise<Answer>, status: number, error: string, before: number, gateway: TestGateway = gw): Promise<Answer> {
  const result = await answer;
  expect(result.status, JSON.stringify(result.body)).toBe(status);
  expect(result.body).toMatchObject({ error, message: expect.any(String) });
  expect(await archiveCount(gateway)).toBe(before);
  return result;
}

beforeAll(async () => {
  gw = await startTestGateway();
  org = await createOrg(gw);
  other = await createOrg(gw);
});
afterAll(async () => gw.close());

describe('a successful upload', () => {
  it('answers 201 with the id, the SHA-256 of the bytes and their size, and stores them', async () => {
    const answer = await upload(gw, org.owner.token, ARCHIVE);
    expect(answer.status, JSON.stringify(answer.body)).toBe(201);
    const sha256 = crypto.createHash('sha256').update(ARCHIVE).digest('hex');
    expect(answer.body).toEqual({ id: expect.stringMatching(/^[0-9a-f-]{36}$/), sha256, sizeBytes: ARCHIVE.length });
    const row = await gw.db.selectFrom('automationArchives').selectAll().where('id', '=', String(answer.body.id)).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ organizationId: org.organizationId, sha256, sizeBytes: ARCHIVE.length, uploadedByUserId: org.owner.userId });
    expect(Buffer.compare(row.content, ARCHIVE)).toBe(0);
  });

  it.each([
    ['a Member (crews_dashboards: READ)', (o: OrgFixture) => addMember(gw, o.organizationId, o.memberRoleId)],
    [
      'a service account with crews_dashboards: READ',
      async (o: OrgFixture) => addServiceAccount(gw, o.organizationId, await createRole(gw, o.organizationId, { crews_dashboards: 'READ' })),
    ],
  ])('%s may upload', async (_who, make: (o: OrgFixture) => Promise<Actor>) => {
    const actor = await make(org);
    const answer = await upload(gw, actor.token, ARCHIVE);
    expect(answer.status, JSON.stringify(answer.body)).toBe(201);
  });

  it('accepts a Content-Type with parameters and in any case', async () => {
    expect((await upload(gw, org.owner.token, ARCHIVE, { contentType: 'Application/Zip; name=crew.zip' })).status).toBe(201);
  });
});

describe('refusals, in the order they are checked; none stores anything', () => {
  it.each(['GET', 'PUT', 'DELETE'])('%s is 405 with Allow: POST', async (method) => {
    const answer = await expectRefused(
      upload(gw, org.owner.token, method === 'GET' ? null : ARCHIVE, { method }),
      405,
      'METHOD_NOT_ALLOWED',
      await archiveCount(),
    );
    expect(answer.headers.get('allow')).toBe('POST');
  });

  it.each([
    ['without a token', undefined],
    ['with a bad token', 'gth_not-a-real-token'],
  ])('%s is 401 UNAUTHENTICATED', async (_case, token) => {
    await expectRefused(upload(gw, token, ARCHIVE), 401, 'UNAUTHENTICATED', await archiveCount());
  });

  it.each([
    ["another organization's id", () => String(other.organizationId)],
    ['an id that does not exist', () => '999999'],
    ['a malformed id', () => 'abc'],
    ['a missing id', () => ''],
  ])('%s is 404 NOT_FOUND', async (_case, id) => {
    const answer = await expectRefused(upload(gw, org.owner.token, ARCHIVE, { organizationId: id() }), 404, 'NOT_FOUND', await archiveCount());
    expect(answer.body.message).toMatch(/^Organization ".*" was not found\.$/);
  });

  it('crews_dashboards: NO_ACCESS is 403 naming the feature and the level', async () => {
    const blind = await addMember(gw, org.organizationId, await createRole(gw, org.organizationId, { tools: 'READ' }));
    const answer = await expectRefused(upload(gw, blind.token, ARCHIVE), 403, 'FORBIDDEN', await archiveCount());
    expect(answer.body.message).toContain('needs crews_dashboards: READ');
    expect(answer.body).toMatchObject({ feature: 'crews_dashboards', requiredLevel: 'READ', level: 'NO_ACCESS' });
  });

  it('an organization with zip deployments turned off is 403 saying it is an organization setting, even for its Owner', async () => {
    const zipless = await createOrg(gw);
    await updateOrganization(gw.db, zipless.organizationId, { zipDeploymentsEnabled: false });
    const answer = await expectRefused(
      upload(gw, zipless.owner.token, ARCHIVE, { organizationId: String(zipless.organizationId) }),
      403,
      'FORBIDDEN',
      await archiveCount(),
    );
    expect(answer.body.message).toContain('organization setting');
  });

  it.each([
    ['application/octet-stream', 'application/octet-stream'],
    ['multipart/form-data', 'multipart/form-data; boundary=x'],
    ['no Content-Type', null],
  ])('%s is 415', async (_case, contentType) => {
    await expectRefused(upload(gw, org.owner.token, ARCHIVE, { contentType }), 415, 'UNSUPPORTED_MEDIA_TYPE', await archiveCount());
  });

  it.each([
    ['an empty body', Buffer.alloc(0), 'empty'],
    ['a zip with no files', EMPTY_ZIP, 'no files'],
    ['bytes that are not a zip', Buffer.from('this is not a zip archive at all'), 'not a zip'],
    ['a zip cut short', ARCHIVE.subarray(0, ARCHIVE.length - 10), 'incomplete'],
  ])('%s is 400 BAD_USER_INPUT', async (_case, body, says) => {
    const answer = await expectRefused(upload(gw, org.owner.token, body), 400, 'BAD_USER_INPUT', await archiveCount());
    expect(answer.body.message).toContain(says);
  });

  it.each([
    ['the method before the token', () => upload(gw, undefined, ARCHIVE, { method: 'PUT' }), 405],
    ['the token before the organization', () => upload(gw, 'gth_bad', ARCHIVE, { organizationId: 'abc' }), 401],
    [
      'membership before the content type',
      () => upload(gw, org.owner.token, ARCHIVE, { organizationId: String(other.organizationId), contentType: null }),
      404,
    ],
    ['the content type before the bytes', () => upload(gw, org.owner.token, Buffer.from('not a zip'), { contentType: 'text/plain' }), 415],
  ] as const)('checks %s', async (_case, call, status) => {
    expect((await call()).status).toBe(status);
  });
});

describe('the size limit (ZIP_MAX_BYTES)', () => {
  let small: TestGateway;
  let smallOrg: OrgFixture;
  const LIMIT = 2048;
  // 98 bytes of zip framing plus twice the name: exactly LIMIT bytes in all.
  const atLimit = zipOf({ 'a.txt': Buffer.alloc(LIMIT - 108, 'x') });

  beforeAll(async () => {
    small = await startTestGateway({ ZIP_MAX_BYTES: String(LIMIT) });
    smallOrg = await createOrg(small);
  });
  afterAll(async () => small.close());

  it('accepts an archive of exactly the limit', async () => {
    expect(atLimit.length).toBe(LIMIT);
    const answer = await upload(small, smallOrg.owner.token, atLimit, { organizationId: String(smallOrg.organizationId) });
    expect(answer.status, JSON.stringify(answer.body)).toBe(201);
  });

  it('refuses one byte more with 413 and stores nothing', async () => {
    const over = zipOf({ 'a.txt': Buffer.alloc(LIMIT - 107, 'x') });
    const answer = await expectRefused(
      upload(small, smallOrg.owner.token, over, { organizationId: String(smallOrg.organizationId) }),
      413,
      'PAYLOAD_TOO_LARGE',
      await archiveCount(small),
      small,
    );
    expect(answer.body).toMatchObject({ limit: LIMIT });
    expect(answer.body.message).toContain('ZIP_MAX_BYTES');
  });

  it('answers 413 while a body without Content-Length is still being sent, as soon as the limit is passed', async () => {
    const before = await archiveCount(small);
    const url = new URL(ARCHIVE_UPLOAD_PATH, small.url);
    url.searchParams.set('organizationId', String(smallOrg.organizationId));
    const status = await new Promise<number>((resolve, reject) => {
      const request = http.request(url, {
        method: 'POST',
        headers: { authorization: `Bearer ${smallOrg.owner.token}`, 'content-type': 'application/zip', 'transfer-encoding': 'chunked' },
      });
      let sent = 0;
      // Keeps sending without ever ending the body: only a server that stops reading can answer.
      const timer = setInterval(() => {
        if (sent < 1_048_576) request.write(Buffer.alloc(1024, 'x'));
        sent += 1024;
      }, 2);
      request.on('response', (response) => {
        clearInterval(timer);
        response.resume();
        request.destroy();
        resolve(response.statusCode ?? 0);
      });
      request.on('error', (error) => {
        clearInterval(timer);
        reject(error);
      });
    });
    expect(status).toBe(413);
    expect(await archiveCount(small)).toBe(before);
  });
});
