import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startClusterEnv, type ClusterEnv } from '../support/k8s-setup.js';
import { startTestGateway, type TestGateway } from '../support/harness.js';

// Issue 6 §7: /healthz says the process is up; /readyz that it can serve: database reachable,
// migrations current, and the Kubernetes API reachable when a cluster is configured.
async function get(gw: TestGateway, path: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(new URL(path, gw.url));
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('without a cluster', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway();
  });
  afterAll(async () => gw.close());

  it('/healthz answers 200 while the process runs', async () => {
    expect(await get(gw, '/healthz')).toEqual({ status: 200, body: { status: 'ok' } });
  });

  it('/readyz is 200 with current migrations, and says no cluster is configured', async () => {
    expect(await get(gw, '/readyz')).toEqual({ status: 200, body: { status: 'ready', kubernetes: 'not configured' } });
  });

  it('/readyz is 503 naming the pending migration and the fix while one is pending', async () => {
    // The migrator's own table: forgetting the newest entry makes that migration pending again.
    const { rows } = await sql<{ name: string; timestamp: string }>`select name, timestamp from kysely_migration order by name desc limit 1`.execute(gw.db);
    const last = rows[0];
    if (!last) throw new Error('no migration recorded');
    const { name } = last;
    await sql`delete from kysely_migration where name = ${name}`.execute(gw.db);
    try {
      const ready = await get(gw, '/readyz');
      expect(ready.status).toBe(503);
      expect(ready.body).toMatchObject({ status: 'migrations pending', pending: [name] });
      expect(String(ready.body.fix)).toContain('gatehouse migrate');
    } finally {
      await sql`insert into kysely_migration (name, timestamp) values (${name}, ${last.timestamp})`.execute(gw.db);
    }
    expect((await get(gw, '/readyz')).status).toBe(200);
  });
});

describe('with a cluster', () => {
  let env: ClusterEnv;
  beforeAll(async () => {
    env = await startClusterEnv('automatic');
  });
  afterAll(async () => env.close());

  it("/readyz is 200 and reports the API server's version", async () => {
    const ready = await get(env.gw, '/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body.status).toBe('ready');
    expect(String(ready.body.kubernetes)).toMatch(/^v\d+\.\d+/);
  });

  it('/readyz is 503 "kubernetes unreachable" while the API server fails, and ready again after', async () => {
    env.stub.failNext({ method: 'GET', path: /^\/version/, status: 503 });
    const failing = await get(env.gw, '/readyz');
    expect(failing.status).toBe(503);
    expect(failing.body.status).toBe('kubernetes unreachable');
    expect(String(failing.body.detail)).toContain('503');
    expect((await get(env.gw, '/readyz')).status).toBe(200);
  });

  it('/healthz does not depend on the cluster', async () => {
    env.stub.failNext({ method: 'GET', path: /^\/version/, status: 503 });
    expect((await get(env.gw, '/healthz')).status).toBe(200);
  });
});
