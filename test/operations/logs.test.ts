import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';
import { createOrg, type OrgFixture } from '../support/fixtures.js';
import { startTestGateway, type TestGateway } from '../support/harness.js';

// Issue 6 §7: pino JSON logs, a request id on every line a request writes, no secret ever logged.
const lines: Array<Record<string, unknown>> = [];
const sink = new Writable({
  write(chunk: Buffer, _encoding, done) {
    for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
    done();
  },
});
let gw: TestGateway;
let org: OrgFixture;

beforeAll(async () => {
  gw = await startTestGateway({ LOG_LEVEL: 'debug' }, { logger: createLogger('debug', sink) });
  org = await createOrg(gw);
});
afterAll(async () => gw.close());

async function post(token: string | undefined, query: string, requestId?: string): Promise<Response> {
  return fetch(gw.url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(requestId ? { 'x-request-id': requestId } : {}),
    },
    body: JSON.stringify({ query }),
  });
}

describe('logs', () => {
  it('every request writes a JSON access line with its id, method, path, status and duration', async () => {
    const response = await post(org.owner.token, '{ viewer { user { email } } }', 'trace-me-0001');
    expect(response.headers.get('x-request-id')).toBe('trace-me-0001');
    await response.text();
    const line = lines.find((l) => l.requestId === 'trace-me-0001' && l.msg === 'request');
    expect(line).toMatchObject({ level: 30, service: 'gatehouse', method: 'POST', path: '/graphql', status: 200 });
    expect(line?.durationMs).toEqual(expect.any(Number));
  });

  it('an internal error and a refused token are logged under their request id, and no line holds a secret', async () => {
    await (await post(`${org.owner.token}x`, '{ viewer { user { email } } }', 'bad-token-0001')).text();
    const created = await (
      await post(
        org.owner.token,
        `mutation { createEnvVar(organizationId: "${org.organizationId}", input: { name: "K", value: "s3cr3t-env-value" }) { id value } }`,
        'env-var-0001',
      )
    ).text();
    expect(created).toContain('s3cr3t-env-value');
    const ours = lines.filter((l) => typeof l.requestId === 'string' && ['bad-token-0001', 'env-var-0001'].includes(l.requestId));
    expect(ours.length).toBeGreaterThanOrEqual(2);
    const text = JSON.stringify(lines);
    expect(text).not.toContain(org.owner.token);
    expect(text).not.toContain('s3cr3t-env-value');
  });

  it('health probes and metric scrapes write no access line', async () => {
    const before = lines.length;
    await (await fetch(new URL('/healthz', gw.url))).text();
    await (await fetch(new URL('/metrics', gw.url))).text();
    expect(lines.slice(before).filter((l) => l.msg === 'request')).toEqual([]);
  });
});
