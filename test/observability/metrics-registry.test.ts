import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Metrics, type PoolStats } from '../../src/observability/metrics.js';
import { startTestGateway, type TestGateway } from '../support/harness.js';
import { parseExposition, scrape, valueOf } from './prometheus-text.js';

// README "Metrics": the Metrics class on its own, and the database pool numbers it serves.
const POOL = 'gatehouse_db_pool_connections';

/** What `metrics.serve` answers, through a real HTTP response. */
async function served(metrics: Metrics): Promise<{ status: number; contentType: string | null; text: string }> {
  const server = http.createServer((_req, res) => void metrics.serve(res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const response = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`);
    return { status: response.status, contentType: response.headers.get('content-type'), text: await response.text() };
  } finally {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

describe('Metrics', () => {
  it('serves the pool gauges from poolStats, read at scrape time', async () => {
    let stats: PoolStats = { total: 3, idle: 2, waiting: 1 };
    const metrics = new Metrics({ poolStats: () => stats, processMetrics: false });
    const first = await served(metrics);
    expect(first.status).toBe(200);
    expect(first.contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(parseExposition(first.text).types.get(POOL)).toBe('gauge');
    expect(valueOf(first.text, POOL, { state: 'total' })).toBe(3);
    expect(valueOf(first.text, POOL, { state: 'idle' })).toBe(2);
    expect(valueOf(first.text, POOL, { state: 'waiting' })).toBe(1);
    stats = { total: 5, idle: 0, waiting: 4 };
    const second = (await served(metrics)).text;
    expect(valueOf(second, POOL, { state: 'total' })).toBe(5);
    expect(valueOf(second, POOL, { state: 'waiting' })).toBe(4);
  });

  it('has no pool gauges without poolStats', async () => {
    const { text } = await served(new Metrics({ processMetrics: false }));
    expect(text).not.toContain(POOL);
    expect(text).toContain('gatehouse_deploys_total');
  });

  it('a failing collection is a 500 that says nothing of the cause', async () => {
    const metrics = new Metrics({
      poolStats: () => {
        throw new Error('connect ECONNREFUSED 10.0.0.7:5432 password=hunter2');
      },
    });
    const { status, text } = await served(metrics);
    expect(status).toBe(500);
    expect(text).not.toMatch(/ECONNREFUSED|10\.0\.0\.7|hunter2/);
  });

  it('several instances in one process share the process metrics without clashing', async () => {
    const [a, b] = [new Metrics(), new Metrics()];
    a.deployFinished('DEPLOYED');
    for (const metrics of [a, b]) {
      const { status, text } = await served(metrics);
      expect(status).toBe(200);
      expect(parseExposition(text).types.has('process_cpu_user_seconds_total')).toBe(true);
    }
    // Each instance counts only its own events.
    expect(valueOf((await served(a)).text, 'gatehouse_deploys_total', { outcome: 'DEPLOYED', reason: 'none' })).toBe(1);
    expect(valueOf((await served(b)).text, 'gatehouse_deploys_total', { outcome: 'DEPLOYED', reason: 'none' })).toBe(0);
  });

  it('a denial reason outside the closed list is counted as other, never as itself', async () => {
    const metrics = new Metrics({ processMetrics: false });
    metrics.authzDenied('feature:agents');
    metrics.authzDenied('user:0b6d3c1e-attacker@example.com');
    const { text } = await served(metrics);
    expect(valueOf(text, 'gatehouse_authz_denials_total', { reason: 'feature:agents' })).toBe(1);
    expect(valueOf(text, 'gatehouse_authz_denials_total', { reason: 'other' })).toBe(1);
    expect(text).not.toContain('attacker');
  });
});

describe("the database handle's poolStats (src/db/connect.ts)", () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway();
  });
  afterAll(async () => gw.close());

  it.runIf(process.env.TEST_DATABASE_URL)('PostgreSQL: reports the pg pool, and Metrics serves it', async () => {
    const poolStats = gw.database.poolStats;
    expect(poolStats).toBeDefined();
    if (!poolStats) return;
    await gw.db.selectFrom('organizations').select('id').limit(1).execute();
    const stats = poolStats();
    expect(stats.total).toBeGreaterThanOrEqual(1);
    expect(stats.idle).toBeLessThanOrEqual(stats.total);
    expect(stats.waiting).toBe(0);
    const { text } = await served(new Metrics({ poolStats, processMetrics: false }));
    expect(valueOf(text, POOL, { state: 'total' })).toBe(poolStats().total);
  });

  it.runIf(!process.env.TEST_DATABASE_URL)('PGlite: no pool, so no poolStats and no pool gauges at /metrics', async () => {
    expect(gw.database.poolStats).toBeUndefined();
    expect(await scrape(gw)).not.toContain(POOL);
  });
});
