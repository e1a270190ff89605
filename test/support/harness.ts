import type { LogEvent } from 'kysely';
import crypto from 'node:crypto';
import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino, type Logger } from 'pino';
import { loadConfig, type Config } from '../../src/config.js';
import { SecretBox } from '../../src/crypto/secret-box.js';
import type { Db } from '../../src/db/database.js';
import { Gateway } from '../../src/http/gateway.js';
import type { Cluster } from '../../src/k8s/cluster.js';
import { createTestDatabase, type TestDatabase } from './test-database.js';

export const TEST_JWT_SECRET = 'test-only-shared-secret-for-hs256-jwts';

export interface GqlError {
  message: string;
  path?: (string | number)[];
  extensions?: { code?: string; [key: string]: unknown };
}

export interface GqlResponse<T> {
  status: number;
  data: T | null;
  errors: GqlError[];
  /** The body as sent, to search for secrets. */
  raw: string;
}

export interface TestGateway {
  url: string;
  db: Db;
  database: TestDatabase;
  secretKey: Buffer;
  config: Config;
  gql<T = Record<string, unknown>>(token: string | undefined, query: string, variables?: Record<string, unknown>): Promise<GqlResponse<T>>;
  close(): Promise<void>;
}

/** The real gateway (HTTP, authentication, shield, Apollo) on a fresh database and a free port. */
export async function startTestGateway(
  env: Record<string, string> = {},
  options: { cluster?: Cluster | null; logger?: Logger; onQuery?: (event: LogEvent) => void } = {},
): Promise<TestGateway> {
  // DATABASE_POOL_MAX sizes the pool as in production (the default suites keep 5 per file).
  const database = await createTestDatabase(env.DATABASE_POOL_MAX ? Number(env.DATABASE_POOL_MAX) : undefined, options.onQuery);
  const secretKey = crypto.randomBytes(32);
  const config = loadConfig({
    NODE_ENV: 'test',
    AUTH_JWT_SECRET: TEST_JWT_SECRET,
    GATEHOUSE_SECRET_KEY: secretKey.toString('base64'),
    LOG_LEVEL: 'silent',
    // Suites send hundreds of requests from one address; test/limits/rate-limit.test.ts turns them on.
    RATE_LIMIT_PER_TOKEN: '0',
    RATE_LIMIT_PER_ADDRESS: '0',
    // Table-driven suites give one organization a new role per row; test/visible-schema/permission-set-bounds.test.ts turns it on.
    SCHEMA_BUILDS_PER_ORGANIZATION_PER_MINUTE: '0',
    // Likewise uploads (test/archives/upload-limits.test.ts turns them on); their concurrency caps stay.
    UPLOAD_RATE_LIMIT_PER_TOKEN: '0',
    UPLOAD_RATE_LIMIT_PER_ORGANIZATION: '0',
    // AUTHZ_INLINE_ORGANIZATIONS=0 runs every suite with each organization's grant read on demand
    // (src/authz/lazy-grants.ts): a check that reads a grant it did not load fails its test.
    ...(process.env.AUTHZ_INLINE_ORGANIZATIONS ? { AUTHZ_INLINE_ORGANIZATIONS: process.env.AUTHZ_INLINE_ORGANIZATIONS } : {}),
    ...env,
  });
  const gateway = new Gateway({
    config,
    db: database.db,
    secrets: new SecretBox(secretKey),
    logger: options.logger ?? pino({ level: 'silent' }),
    cluster: options.cluster ?? null,
  });
  await gateway.start();
  const server: http.Server = await gateway.listen(0, '127.0.0.1');
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
  return {
    url,
    db: database.db,
    database,
    secretKey,
    config,
    async gql<T>(token: string | undefined, query: string, variables: Record<string, unknown> = {}) {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify({ query, variables }),
      });
      const raw = await response.text();
      const body = JSON.parse(raw) as { data?: T | null; errors?: GqlError[] };
      return { status: response.status, data: body.data ?? null, errors: body.errors ?? [], raw };
    },
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await gateway.stop();
      await database.close();
    },
  };
}
