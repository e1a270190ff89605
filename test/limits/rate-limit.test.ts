import crypto from 'node:crypto';
import { IncomingMessage } from 'node:http';
import net, { Socket } from 'node:net';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { clientAddress, createRateLimiter } from '../../src/http/rate-limit.js';
import { createOrg, type OrgFixture } from '../support/fixtures.js';
import { startTestGateway, type GqlError, type TestGateway } from '../support/harness.js';

// Issue 6 point 6, README "Rate limits": per token and per client address, fixed windows,
// 429 RATE_LIMITED with Retry-After; shared through Redis when REDIS_URL is set.
const WINDOW_SECONDS = 60;
const REDIS_URL = 'redis://127.0.0.1:6379';
// Nothing listens on port 1: Redis "down at start".
const DEAD_REDIS_URL = 'redis://:not-a-real-password@127.0.0.1:1';

interface Sent {
  status: number;
  retryAfter: string | null;
  errors: GqlError[];
  raw: string;
}

/** `{ __typename }` with an optional token, as if a trusted proxy had seen it come from `from`. */
async function send(gw: TestGateway, options: { token?: string; from?: string }): Promise<Sent> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.from) headers['x-forwarded-for'] = `198.51.100.66, ${options.from}`;
  const response = await fetch(gw.url, { method: 'POST', headers, body: JSON.stringify({ query: '{ __typename }' }) });
  const raw = await response.text();
  const body = JSON.parse(raw) as { errors?: GqlError[] };
  return { status: response.status, retryAfter: response.headers.get('retry-after'), errors: body.errors ?? [], raw };
}

async function sendTimes(gw: TestGateway, count: number, options: { token?: string; from?: string }): Promise<number[]> {
  const statuses: number[] = [];
  for (let i = 0; i < count; i += 1) statuses.push((await send(gw, options)).status);
  return statuses;
}

function expectRateLimited(sent: Sent, limit: { name: 'perToken' | 'perAddress'; max: number }): void {
  expect(sent.status, sent.raw).toBe(429);
  expect(sent.errors).toHaveLength(1);
  expect(sent.errors[0]?.extensions?.code).toBe('RATE_LIMITED');
  expect(sent.errors[0]?.extensions?.limit).toEqual(limit);
  expect(sent.errors[0]?.extensions?.requestId).toEqual(expect.any(String));
  expect(sent.errors[0]?.message).toContain(`at most ${limit.max} requests per ${WINDOW_SECONDS} s`);
  expect(sent.retryAfter).toMatch(/^\d+$/);
  expect(Number(sent.retryAfter)).toBeGreaterThanOrEqual(1);
  expect(Number(sent.retryAfter)).toBeLessThanOrEqual(WINDOW_SECONDS);
  expect(sent.errors[0]?.message).toContain(`Retry after ${sent.retryAfter} s`);
}

const sha256 = (text: string) => crypto.createHash('sha256').update(text).digest('hex');

describe('over HTTP, counted in this process', () => {
  let gw: TestGateway;
  let a: OrgFixture;
  let b: OrgFixture;
  beforeAll(async () => {
    // One trusted proxy: each test sends from its own X-Forwarded-For address, so the address
    // counts of one test never reach another.
    gw = await startTestGateway({
      RATE_LIMIT_PER_TOKEN: '3',
      RATE_LIMIT_PER_ADDRESS: '5',
      RATE_LIMIT_WINDOW_SECONDS: String(WINDOW_SECONDS),
      TRUSTED_PROXY_HOPS: '1',
    });
    a = await createOrg(gw);
    b = await createOrg(gw);
  });
  afterAll(async () => gw.close());

  it('a token gets RATE_LIMIT_PER_TOKEN requests per window; the next is 429 RATE_LIMITED, perToken, with Retry-After', async () => {
    expect(await sendTimes(gw, 3, { token: a.owner.token, from: '203.0.113.1' })).toEqual([200, 200, 200]);
    expectRateLimited(await send(gw, { token: a.owner.token, from: '203.0.113.1' }), { name: 'perToken', max: 3 });
  });

  it('a refused token does not affect another token', async () => {
    expect((await send(gw, { token: a.owner.token, from: '203.0.113.2' })).status).toBe(429);
    expect(await sendTimes(gw, 3, { token: b.owner.token, from: '203.0.113.2' })).toEqual([200, 200, 200]);
  });

  it('a token is counted wherever it comes from: a new address does not reset it', async () => {
    expectRateLimited(await send(gw, { token: a.owner.token, from: '203.0.113.3' }), { name: 'perToken', max: 3 });
  });

  it('an address gets RATE_LIMIT_PER_ADDRESS requests without a token; the next is 429, perAddress', async () => {
    // Past the limiter, a request without a token meets authentication: 401, not 429.
    expect(await sendTimes(gw, 5, { from: '203.0.113.4' })).toEqual([401, 401, 401, 401, 401]);
    expectRateLimited(await send(gw, { from: '203.0.113.4' }), { name: 'perAddress', max: 5 });
    // Other addresses are unaffected.
    expect((await send(gw, { from: '203.0.113.5' })).status).toBe(401);
  });

  it('a request with a token counts against its address too, and is refused by it within its token limit', async () => {
    const c = await createOrg(gw);
    expect(await sendTimes(gw, 2, { token: c.owner.token, from: '203.0.113.6' })).toEqual([200, 200]);
    expect(await sendTimes(gw, 3, { from: '203.0.113.6' })).toEqual([401, 401, 401]);
    // c's third request: within its token limit (3), over its address's (5).
    expectRateLimited(await send(gw, { token: c.owner.token, from: '203.0.113.6' }), { name: 'perAddress', max: 5 });
  });
});

describe('a limit of 0 is off', () => {
  const limiter = (perToken: number, perAddress: number) =>
    createRateLimiter({ ...loadConfig({}).rateLimit, perToken, perAddress, windowSeconds: WINDOW_SECONDS, redisUrl: undefined }, pino({ level: 'silent' }));
  async function allowed(perToken: number, perAddress: number, requests: Array<{ address: string; credential: string | undefined }>): Promise<boolean[]> {
    const rl = limiter(perToken, perAddress);
    const decisions: boolean[] = [];
    for (const request of requests) decisions.push((await rl.consume(request)).allowed);
    await rl.close();
    return decisions;
  }
  const times = <T>(count: number, make: (i: number) => T): T[] => Array.from({ length: count }, (_, i) => make(i));

  it('both 0: any number of requests pass', async () => {
    expect(
      await allowed(
        0,
        0,
        times(100, () => ({ address: '203.0.113.9', credential: 'Bearer x' })),
      ),
    ).toEqual(times(100, () => true));
  });

  it('RATE_LIMIT_PER_TOKEN=0: one token from many addresses is never refused; its twin with 2 refuses the third', async () => {
    const requests = times(20, (i) => ({ address: `203.0.113.${i}`, credential: 'Bearer x' }));
    expect(await allowed(0, 2, requests)).toEqual(times(20, () => true));
    expect(await allowed(2, 2, requests.slice(0, 3))).toEqual([true, true, false]);
  });

  it('RATE_LIMIT_PER_ADDRESS=0: one address with many tokens is never refused; its twin with 2 refuses the third', async () => {
    const requests = times(20, (i) => ({ address: '203.0.113.9', credential: `Bearer t${i}` }));
    expect(await allowed(2, 0, requests)).toEqual(times(20, () => true));
    expect(await allowed(2, 2, requests.slice(0, 3))).toEqual([true, true, false]);
  });
});

describe('clientAddress (TRUSTED_PROXY_HOPS)', () => {
  function request(remoteAddress: string, forwardedFor?: string): IncomingMessage {
    const socket = new Socket();
    Object.defineProperty(socket, 'remoteAddress', { value: remoteAddress });
    const req = new IncomingMessage(socket);
    if (forwardedFor !== undefined) req.headers['x-forwarded-for'] = forwardedFor;
    return req;
  }

  it.each([
    { hops: 0, socket: '10.0.0.9', forwardedFor: '203.0.113.7', expected: '10.0.0.9', rule: 'without trusted proxies the header is ignored' },
    { hops: 0, socket: '::ffff:127.0.0.1', forwardedFor: undefined, expected: '127.0.0.1', rule: 'an IPv4-mapped IPv6 socket address is plain IPv4' },
    { hops: 0, socket: '2001:DB8::1', forwardedFor: undefined, expected: '2001:db8::1', rule: 'IPv6 is lower case' },
    { hops: 1, socket: '10.0.0.9', forwardedFor: 'forged, 203.0.113.7', expected: '203.0.113.7', rule: 'one proxy: the rightmost entry, what it saw' },
    { hops: 2, socket: '10.0.0.9', forwardedFor: 'forged, 203.0.113.7, 10.0.0.5', expected: '203.0.113.7', rule: 'two proxies: the second from the right' },
    { hops: 2, socket: '10.0.0.9', forwardedFor: '203.0.113.7', expected: '10.0.0.9', rule: 'fewer entries than hops: the socket address' },
    { hops: 1, socket: '10.0.0.9', forwardedFor: undefined, expected: '10.0.0.9', rule: 'no header: the socket address' },
    { hops: 1, socket: '10.0.0.9', forwardedFor: '::ffff:203.0.113.7', expected: '203.0.113.7', rule: 'a forwarded IPv4-mapped address is plain IPv4' },
    { hops: 1, socket: '10.0.0.9', forwardedFor: '[2001:db8::7]:443', expected: '2001:db8::7', rule: 'a forwarded port is dropped (IPv6)' },
    { hops: 1, socket: '10.0.0.9', forwardedFor: '203.0.113.7:5555', expected: '203.0.113.7', rule: 'a forwarded port is dropped (IPv4)' },
    { hops: 1, socket: '10.0.0.9', forwardedFor: 'unknown', expected: '10.0.0.9', rule: 'an entry that is not an address: the socket address' },
  ])('$rule', ({ hops, socket, forwardedFor, expected }) => {
    expect(clientAddress(request(socket, forwardedFor), hops)).toBe(expected);
  });
});

describe('with REDIS_URL', () => {
  const prefix = `gatehouse-test:${crypto.randomBytes(6).toString('hex')}:`;
  let admin: Redis;
  let gw: TestGateway;
  let org: OrgFixture;
  beforeAll(async () => {
    admin = new Redis(REDIS_URL);
    gw = await startTestGateway({
      RATE_LIMIT_PER_TOKEN: '3',
      RATE_LIMIT_PER_ADDRESS: '0',
      RATE_LIMIT_WINDOW_SECONDS: String(WINDOW_SECONDS),
      REDIS_URL,
      RATE_LIMIT_REDIS_PREFIX: prefix,
    });
    org = await createOrg(gw);
  });
  afterAll(async () => {
    await gw.close();
    const keys = await admin.keys(`${prefix}*`);
    if (keys.length > 0) await admin.del(...keys);
    await admin.quit();
  });

  it('counts in Redis under sha256 of the Authorization header, never the token itself', async () => {
    expect(await sendTimes(gw, 3, { token: org.owner.token })).toEqual([200, 200, 200]);
    expectRateLimited(await send(gw, { token: org.owner.token }), { name: 'perToken', max: 3 });
    const keys = await admin.keys(`${prefix}*`);
    // RATE_LIMIT_PER_ADDRESS=0: no address counter either.
    expect(keys).toEqual([`${prefix}token:${sha256(`Bearer ${org.owner.token}`)}`]);
    // Four requests, the refused one included, were counted in Redis rather than in-process.
    expect(await admin.get(keys[0] ?? '')).toBe('4');
    expect(keys.join(' ')).not.toContain(org.owner.token);
    expect(keys.join(' ')).not.toContain(org.owner.token.slice(4, 20));
  });

  it('a window expires with its Redis key: the TTL is at most RATE_LIMIT_WINDOW_SECONDS', async () => {
    const ttl = await admin.pttl(`${prefix}token:${sha256(`Bearer ${org.owner.token}`)}`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(WINDOW_SECONDS * 1000);
  });
});

/** A TCP hop in front of the test Redis that the test can cut and restore: Redis lost while running. */
class CuttableRedis {
  private server: net.Server | undefined;
  private readonly sockets = new Set<Socket>();
  port = 0;

  async open(): Promise<void> {
    const server = net.createServer((client) => {
      const upstream = net.connect(6379, '127.0.0.1');
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.on('error', () => undefined);
        socket.on('close', () => (this.sockets.delete(socket), client.destroy(), upstream.destroy()));
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    const address = server.address();
    if (address && typeof address === 'object') this.port = address.port;
    this.server = server;
  }

  async cut(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  }
}

describe('Redis lost while running', () => {
  const prefix = `gatehouse-test:${crypto.randomBytes(6).toString('hex')}:`;
  const redis = new CuttableRedis();
  const admin = new Redis(REDIS_URL);
  afterAll(async () => {
    await redis.cut();
    const keys = await admin.keys(`${prefix}*`);
    if (keys.length > 0) await admin.del(...keys);
    await admin.quit();
  });

  it('counting goes on in-process with one warning; when Redis is back, in Redis again', async () => {
    await redis.open();
    const lines: Array<{ level: number; msg: string }> = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line) as { level: number; msg: string }) });
    const rl = createRateLimiter(
      {
        ...loadConfig({}).rateLimit,
        perToken: 3,
        perAddress: 0,
        windowSeconds: WINDOW_SECONDS,
        redisUrl: `redis://127.0.0.1:${redis.port}`,
        redisKeyPrefix: prefix,
      },
      logger,
    );
    const request = { address: '203.0.113.9', credential: 'Bearer lost-and-found' };
    const key = `${prefix}token:${sha256(request.credential)}`;
    const consume = async (count: number) => {
      const decisions: boolean[] = [];
      for (let i = 0; i < count; i += 1) decisions.push((await rl.consume(request)).allowed);
      return decisions;
    };
    try {
      expect(await consume(2)).toEqual([true, true]);
      expect(await admin.get(key)).toBe('2');

      await redis.cut();
      await vi.waitFor(() => expect(lines.some((line) => line.level === 40)).toBe(true), { timeout: 10_000 });
      // The in-process counter starts from nothing: the full limit again, then refused.
      expect(await consume(4)).toEqual([true, true, true, false]);
      expect(lines.filter((line) => line.level === 40)).toHaveLength(1);
      expect(await admin.get(key)).toBe('2');

      await redis.open();
      await vi.waitFor(() => expect(lines.some((line) => line.msg.includes('reachable again'))).toBe(true), { timeout: 10_000 });
      // Back on the shared counter, which had 2: one more passes.
      expect(await consume(2)).toEqual([true, false]);
      expect(await admin.get(key)).toBe('4');
    } finally {
      await rl.close();
    }
  });
});

describe('with REDIS_URL and Redis unreachable', () => {
  let gw: TestGateway;
  let org: OrgFixture;
  beforeAll(async () => {
    gw = await startTestGateway({
      RATE_LIMIT_PER_TOKEN: '2',
      RATE_LIMIT_PER_ADDRESS: '0',
      RATE_LIMIT_WINDOW_SECONDS: String(WINDOW_SECONDS),
      REDIS_URL: DEAD_REDIS_URL,
    });
    org = await createOrg(gw);
  });
  afterAll(async () => gw.close());

  it('requests are served, and the limit still applies, counted in-process', async () => {
    expect(await sendTimes(gw, 2, { token: org.owner.token })).toEqual([200, 200]);
    expectRateLimited(await send(gw, { token: org.owner.token }), { name: 'perToken', max: 2 });
  });

  it('the fallback is logged once, not per request, with what to do and without the Redis password', async () => {
    const lines: string[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(line) });
    const rl = createRateLimiter({ ...loadConfig({}).rateLimit, perToken: 100, perAddress: 100, redisUrl: DEAD_REDIS_URL }, logger);
    for (let i = 0; i < 10; i += 1) expect((await rl.consume({ address: '203.0.113.9', credential: 'Bearer x' })).allowed).toBe(true);
    await rl.close();
    const warnings = lines.map((line) => JSON.parse(line) as { level: number; msg: string }).filter((entry) => entry.level === 40);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.msg).toContain('Start Redis or correct REDIS_URL');
    expect(lines.join('\n')).not.toContain('not-a-real-password');
  });
});
