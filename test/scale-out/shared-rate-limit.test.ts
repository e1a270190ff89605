import crypto from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServerStore, gqlAt, killServerProcesses, runCli, startServerProcess, type ServerProcess, type ServerStore } from '../support/server-process.js';

// Issue 6, scale-out evidence: two gateway processes on one PostgreSQL share their rate-limit
// counters through Redis (README "Rate limits"), so a client gets the limit once, not once per
// replica. PostgreSQL only: PGlite allows one process per data directory.
const REDIS_URL = 'redis://127.0.0.1:6379';
const QUERY = '{ __typename }';

async function statusesAt(url: string, token: string | undefined, count: number, forwardedFor: string): Promise<number[]> {
  const statuses: number[] = [];
  for (let i = 0; i < count; i += 1) {
    const response = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        connection: 'close',
        'x-forwarded-for': forwardedFor,
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: JSON.stringify({ query: QUERY }),
    });
    await response.arrayBuffer();
    statuses.push(response.status);
  }
  return statuses;
}

describe.skipIf(!process.env.TEST_DATABASE_URL)('two gateway processes on one PostgreSQL and one Redis', () => {
  // Test files run at once and share this Redis; a prefix of its own keeps this file's counts apart.
  const prefix = `gatehouse-test:${crypto.randomBytes(6).toString('hex')}:`;
  let store: ServerStore;
  let admin: Redis;
  let token: string;
  let a: ServerProcess;
  let b: ServerProcess;

  beforeAll(async () => {
    admin = new Redis(REDIS_URL);
    store = await createServerStore();
    ({ token } = await runCli<{ token: string }>(store.env, ['org', 'create', '--name', 'Shared limits', '--owner-email', 'limits@example.com']));
    // One trusted proxy, so that each test counts its own forwarded address.
    const env = { ...store.env, REDIS_URL, RATE_LIMIT_REDIS_PREFIX: prefix, RATE_LIMIT_PER_TOKEN: '4', RATE_LIMIT_PER_ADDRESS: '8', TRUSTED_PROXY_HOPS: '1' };
    [a, b] = await Promise.all([startServerProcess(env), startServerProcess(env)]);
  }, 90_000);

  afterAll(async () => {
    for (const server of [a, b]) {
      if (!server) continue;
      server.child.kill('SIGTERM');
      await server.exited;
    }
    killServerProcesses();
    await store?.close();
    const keys = await admin.keys(`${prefix}*`);
    if (keys.length > 0) await admin.del(...keys);
    await admin.quit();
  });

  it('RATE_LIMIT_PER_TOKEN=4: 2 requests to A and 2 to B pass; the next to either is 429', async () => {
    expect(a.child.pid).not.toBe(b.child.pid);
    expect(await statusesAt(a.url, token, 2, '203.0.113.1')).toEqual([200, 200]);
    expect(await statusesAt(b.url, token, 2, '203.0.113.1')).toEqual([200, 200]);
    // Each process alone has seen 2 of 4: only a shared counter refuses these.
    const refusedByA = await gqlAt(a.url, token, QUERY);
    const refusedByB = await gqlAt(b.url, token, QUERY);
    for (const refused of [refusedByA, refusedByB]) {
      expect(refused.status, refused.raw).toBe(429);
      expect(refused.errors[0]?.extensions).toMatchObject({ code: 'RATE_LIMITED', limit: { name: 'perToken', max: 4 } });
    }
    const key = `${prefix}token:${crypto.createHash('sha256').update(`Bearer ${token}`).digest('hex')}`;
    expect(await admin.get(key)).toBe('6');
  });

  it('RATE_LIMIT_PER_ADDRESS=8: 4 requests to A and 4 to B get through; the next from that address to either is 429', async () => {
    // Without a token, a request that gets through the limiter meets authentication: 401.
    expect(await statusesAt(a.url, undefined, 4, '203.0.113.2')).toEqual([401, 401, 401, 401]);
    expect(await statusesAt(b.url, undefined, 4, '203.0.113.2')).toEqual([401, 401, 401, 401]);
    expect(await statusesAt(a.url, undefined, 1, '203.0.113.2')).toEqual([429]);
    expect(await statusesAt(b.url, undefined, 1, '203.0.113.2')).toEqual([429]);
    // Another address is its own count.
    expect(await statusesAt(b.url, undefined, 1, '203.0.113.3')).toEqual([401]);
  });

  it('Redis was reachable from the start: no process fell back to counting alone', () => {
    expect(a.output()).not.toContain('Redis (REDIS_URL) is unreachable');
    expect(b.output()).not.toContain('Redis (REDIS_URL) is unreachable');
  });
});
