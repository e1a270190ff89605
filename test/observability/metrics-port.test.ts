import crypto from 'node:crypto';
import type http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { SecretBox } from '../../src/crypto/secret-box.js';
import { Gateway } from '../../src/http/gateway.js';
import { createServerStore, killServerProcesses, startServerProcess, type ServerStore } from '../support/server-process.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { parseExposition } from './prometheus-text.js';

// Issue 15 §6: with METRICS_PORT, /metrics is served on that port alone, and the main port (the
// one behind the public Service) answers 404 for it.
const base = (server: http.Server) => `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

describe('METRICS_PORT in the gateway', () => {
  let database: TestDatabase;
  let gateway: Gateway;
  let main: http.Server;
  let metrics: http.Server;
  beforeAll(async () => {
    database = await createTestDatabase();
    const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', METRICS_PORT: '9464', GATEHOUSE_SECRET_KEY: crypto.randomBytes(32).toString('base64') });
    gateway = new Gateway({ config, db: database.db, secrets: new SecretBox(crypto.randomBytes(32)), logger: pino({ level: 'silent' }), cluster: null });
    await gateway.start();
    main = await gateway.listen(0, '127.0.0.1');
    // Port 0 here: the test needs a free port, not the configured one.
    metrics = await gateway.listenMetrics(0, '127.0.0.1');
  });
  afterAll(async () => {
    for (const server of [main, metrics]) {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
    }
    await gateway.stop();
    await database.close();
  });

  it('the main port answers 404 for /metrics and still serves the rest', async () => {
    const response = await fetch(`${base(main)}/metrics`);
    expect(response.status).toBe(404);
    expect(await response.text()).not.toContain('# HELP');
    expect((await fetch(`${base(main)}/healthz`)).status).toBe(200);
  });

  it('the metrics port serves Prometheus text at /metrics', async () => {
    const response = await fetch(`${base(metrics)}/metrics`);
    expect(response.status).toBe(200);
    expect(parseExposition(await response.text()).types.get('gatehouse_graphql_request_duration_seconds')).toBe('histogram');
  });

  it('the metrics port serves nothing else: 404 for /graphql, /healthz and the rest', async () => {
    for (const path of ['/graphql', '/healthz', '/readyz', '/', '/v1/traces']) {
      const response = await fetch(`${base(metrics)}${path}`);
      expect(response.status, path).toBe(404);
      expect(await response.json()).toMatchObject({ error: 'NOT_FOUND', message: expect.stringContaining('serves /metrics only') });
    }
  });

  it('METRICS_PORT equal to PORT is refused, saying why', () => {
    expect(() => loadConfig({ PORT: '4000', METRICS_PORT: '4000' })).toThrow(ConfigError);
    expect(() => loadConfig({ PORT: '4000', METRICS_PORT: '4000' })).toThrow(/METRICS_PORT must differ from PORT/);
  });
});

/** A port nothing listens on now. */
async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('METRICS_PORT in the built server (src/main.ts)', () => {
  let store: ServerStore;
  beforeAll(async () => {
    store = await createServerStore();
  });
  afterAll(async () => {
    killServerProcesses();
    await store.close();
  });

  it('listens on METRICS_PORT for /metrics, and the main port does not serve it', async () => {
    const metricsPort = await freePort();
    const server = await startServerProcess({ ...store.env, METRICS_PORT: String(metricsPort) });
    expect((await fetch(`http://127.0.0.1:${server.port}/metrics`)).status).toBe(404);
    const scraped = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
    expect(scraped.status).toBe(200);
    expect(await scraped.text()).toContain('# HELP gatehouse_graphql_request_duration_seconds');
    server.child.kill('SIGTERM');
    expect((await server.exited).code).toBe(0);
  }, 60_000);
});
