import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateIngestToken } from '../../src/crypto/opaque-token.js';
import { CODE_PATH } from '../../src/ingest/code-download.js';
import { HITL_REQUESTS_PATH } from '../../src/ingest/hitl-requests.js';
import { uploadArchive } from '../support/archive-fixtures.js';
import { DEPLOY, deployNew, type DeploymentResult } from '../support/automation-fixtures.js';
import { ingestTokenOf } from '../support/execution-fixtures.js';
import { expectAllowed } from '../support/expect.js';
import { isolatedOrg, startClusterEnv, type ClusterEnv } from '../support/k8s-setup.js';
import { zipOfEntries } from '../support/zip.js';

// SPEC §7 "Code reaches the runtime from the gateway (zip archives, validated at upload)"; README
// "Runner contract", step "Fetching the code": GET GATEHOUSE_CODE_URL with the ingest token.

let env: ClusterEnv;
let org: Awaited<ReturnType<typeof isolatedOrg>>;

interface Deployed {
  archive: Buffer;
  sha256: string;
  token: string;
  automationId: string;
}
let a: Deployed;
let b: Deployed;
let gitToken: string;

const archiveOf = (marker: string) =>
  zipOfEntries([
    { name: 'crew/', unixMode: 0o040755 },
    { name: 'main.py', content: `print(${JSON.stringify(marker)})\n`, deflate: true },
    { name: 'crew/agents.yaml', content: `researcher:\n  role: ${marker}\n`.repeat(20), deflate: true },
  ]);

/** Uploads the archive through the endpoint, deploys it, and reads the token from the applied Secret. */
async function deployZip(name: string): Promise<Deployed> {
  const archive = archiveOf(name);
  const upload = await uploadArchive(env.gw, org.owner.token, org.organizationId, archive);
  expect(upload.status, JSON.stringify(upload.body)).toBe(201);
  const data = await expectAllowed<{ deployAutomation: DeploymentResult & { archiveSha256: string } }>(env.gw, org.owner.token, DEPLOY, {
    org: String(org.organizationId),
    input: { name, source: { archiveId: String(upload.body.id) } },
  });
  expect(data.deployAutomation.status).toBe('DEPLOYED');
  const row = await env.gw.db.selectFrom('automationDeployments').select('automationId').where('id', '=', data.deployAutomation.id).executeTakeFirstOrThrow();
  return { archive, sha256: data.deployAutomation.archiveSha256, token: ingestTokenOf(env, org.namespace, row.automationId), automationId: row.automationId };
}

function codeUrl(): URL {
  return new URL(CODE_PATH, env.gw.url);
}

async function fetchCode(token: string | undefined, init: { method?: string; headers?: Record<string, string> } = {}): Promise<Response> {
  const headers: Record<string, string> = { ...init.headers };
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  return fetch(codeUrl(), { method: init.method ?? 'GET', headers });
}

/** A value of the automation's Secret, as the pod reads it. */
function secretValue(automationId: string, key: string): string | undefined {
  const secret: unknown = env.stub.objects.secrets.get(`${org.namespace}/automation-${automationId}-env`);
  if (typeof secret !== 'object' || secret === null || !('data' in secret)) return undefined;
  const data: unknown = secret.data;
  if (typeof data !== 'object' || data === null || !(key in data)) return undefined;
  const encoded: unknown = Object.getOwnPropertyDescriptor(data, key)?.value;
  return typeof encoded === 'string' ? Buffer.from(encoded, 'base64').toString('utf8') : undefined;
}

beforeAll(async () => {
  env = await startClusterEnv('automatic');
  org = await isolatedOrg(env.gw);
  a = await deployZip('zipped-a');
  b = await deployZip('zipped-b');
  const git = await deployNew(env.gw, org.owner.token, org.organizationId, org.repo);
  gitToken = ingestTokenOf(env, org.namespace, git.automationId);
});
afterAll(async () => env.close());

describe("GET /v1/code with a zip deployment's ingest token", () => {
  it('the Secret says where: GATEHOUSE_CODE_URL is {INGEST_BASE_URL}/v1/code', () => {
    expect(secretValue(a.automationId, 'GATEHOUSE_CODE_URL')).toBe(`${env.gw.config.k8s.ingestBaseUrl}/v1/code`);
  });

  it('answers the uploaded archive byte for byte, with its SHA-256 as the ETag', async () => {
    const response = await fetchCode(a.token);
    expect(response.status).toBe(200);
    const body = Buffer.from(await response.arrayBuffer());
    expect(Buffer.compare(body, a.archive)).toBe(0);
    const digest = crypto.createHash('sha256').update(body).digest('hex');
    // What the runtime checks: the body against GATEHOUSE_SOURCE_ARCHIVE_SHA256, and the ETag.
    expect(digest).toBe(a.sha256);
    expect(Object.fromEntries(['content-type', 'content-length', 'etag', 'x-gatehouse-source'].map((h) => [h, response.headers.get(h)]))).toEqual({
      'content-type': 'application/zip',
      'content-length': String(a.archive.length),
      etag: `"${digest}"`,
      'x-gatehouse-source': 'zip',
    });
  });

  it.each([
    ['its ETag', () => `"${a.sha256}"`],
    ['its ETag, weak', () => `W/"${a.sha256}"`],
    ['a list holding its ETag', () => `"0000", "${a.sha256}"`],
    ['*', () => '*'],
  ])('If-None-Match with %s is 304 without a body', async (_case, tag) => {
    const response = await fetchCode(a.token, { headers: { 'if-none-match': tag() } });
    expect(response.status).toBe(304);
    expect(response.headers.get('etag')).toBe(`"${a.sha256}"`);
    expect((await response.arrayBuffer()).byteLength).toBe(0);
  });

  it("If-None-Match with another ETag (the previous version's) is 200 with the body", async () => {
    const response = await fetchCode(a.token, { headers: { 'if-none-match': `"${b.sha256}"` } });
    expect(response.status).toBe(200);
    expect(Buffer.compare(Buffer.from(await response.arrayBuffer()), a.archive)).toBe(0);
  });

  it('HEAD answers the headers alone', async () => {
    const response = await fetchCode(a.token, { method: 'HEAD' });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-length')).toBe(String(a.archive.length));
    expect(response.headers.get('etag')).toBe(`"${a.sha256}"`);
    expect((await response.arrayBuffer()).byteLength).toBe(0);
  });

  it("another deployment's token gets that deployment's code, never this one's", async () => {
    const response = await fetchCode(b.token);
    const body = Buffer.from(await response.arrayBuffer());
    expect(response.status).toBe(200);
    expect(Buffer.compare(body, b.archive)).toBe(0);
    expect(Buffer.compare(body, a.archive)).not.toBe(0);
    expect(response.headers.get('etag')).toBe(`"${b.sha256}"`);
  });
});

describe('refusals', () => {
  it.each([
    ['no token', undefined],
    ['a token that is not an ingest token', 'gth_not-an-ingest-token'],
    ['an ingest token of no deployment', () => generateIngestToken().token],
  ] as const)('%s is 401 with the error shape of the other ingest endpoints', async (_case, token) => {
    const sent = typeof token === 'function' ? token() : token;
    const response = await fetchCode(sent);
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Bearer');
    const body: unknown = await response.json();
    expect(body).toEqual({ error: 'UNAUTHENTICATED', message: expect.stringContaining('GATEHOUSE_INGEST_TOKEN') });
    // The human-in-the-loop endpoint refuses the same token with the same body.
    const hitl = await fetch(new URL(HITL_REQUESTS_PATH, env.gw.url), {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(sent ? { authorization: `Bearer ${sent}` } : {}) },
      body: '{}',
    });
    expect(hitl.status).toBe(401);
    expect(await hitl.json()).toEqual(body);
  });

  it("a Git deployment's token is 404 saying to clone the repository", async () => {
    const response = await fetchCode(gitToken);
    expect(response.status).toBe(404);
    expect(response.headers.get('x-gatehouse-source')).toBe('git');
    expect(await response.json()).toEqual({ error: 'NOT_FOUND', source: 'git', message: expect.stringContaining('clone GATEHOUSE_SOURCE_REPOSITORY_URL') });
  });

  it.each(['POST', 'PUT', 'DELETE'])('%s is 405 with Allow: GET, HEAD', async (method) => {
    const response = await fetchCode(a.token, { method });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('GET, HEAD');
  });
});
