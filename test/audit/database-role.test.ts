import crypto from 'node:crypto';
import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import { sql } from 'kysely';
import pg from 'pg';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { openDatabase, type DatabaseHandle } from '../../src/db/connect.js';
import { migrateDatabase } from '../../src/db/migrate-database.js';
import { Gateway } from '../../src/http/gateway.js';
import { verifyAuditChains } from '../../src/modules/audit/audit-verify.js';
import { openRuntime, type Runtime } from '../../src/runtime.js';
import { expectAllowed } from '../support/expect.js';
import { createOrg } from '../support/fixtures.js';
import { TEST_JWT_SECRET, type GqlError, type TestGateway } from '../support/harness.js';
import { runCli } from '../support/server-process.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

// Issue 15 §5: with MIGRATION_DATABASE_URL, the gateway runs as a role that can only insert into
// and read the audit log; migrating as the owner grants it that. PostgreSQL only: PGlite has one role.
const admin = process.env.TEST_DATABASE_URL;
const suffix = crypto.randomBytes(5).toString('hex');
const APP_ROLE = `gatehouse_app_${suffix}`;
const OWNING_ROLE = `gatehouse_app_${suffix}_owning`;
const PASSWORD = crypto.randomBytes(12).toString('hex');

let owner: TestDatabase;
let appUrl: string;
let runtime: Runtime;
let gw: TestGateway;

const urlAs = (role: string) => {
  const url = new URL(owner.url ?? '');
  url.username = role;
  url.password = PASSWORD;
  return url.toString();
};

async function asAdmin(statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

/** The gateway on the application role's pool, shaped as the harness's so that the fixtures work. */
async function gatewayAs(database: DatabaseHandle): Promise<TestGateway> {
  const secretKey = crypto.randomBytes(32);
  const config = loadConfig({
    NODE_ENV: 'test',
    AUTH_JWT_SECRET: TEST_JWT_SECRET,
    GATEHOUSE_SECRET_KEY: secretKey.toString('base64'),
    LOG_LEVEL: 'silent',
    RATE_LIMIT_PER_TOKEN: '0',
    RATE_LIMIT_PER_ADDRESS: '0',
  });
  const gateway = new Gateway({ config, db: database.db, secrets: runtime.secrets, logger: pino({ level: 'silent' }), cluster: null });
  await gateway.start();
  const server: http.Server = await gateway.listen(0, '127.0.0.1');
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
  return {
    url,
    db: database.db,
    database: owner,
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
    },
  };
}

beforeAll(async () => {
  if (!admin) return;
  owner = await createTestDatabase();
  const database = new URL(owner.url ?? '').pathname.slice(1);
  for (const role of [APP_ROLE, OWNING_ROLE]) {
    await asAdmin(`create role ${role} login password '${PASSWORD}'`);
    await asAdmin(`grant connect on database ${database} to ${role}`);
  }
  appUrl = urlAs(APP_ROLE);
  // As the server starts: the gateway's pool on DATABASE_URL, migrations (and grants) as the owner.
  const env = {
    NODE_ENV: 'test',
    DATABASE_URL: appUrl,
    MIGRATION_DATABASE_URL: owner.url ?? '',
    GATEHOUSE_SECRET_KEY: crypto.randomBytes(32).toString('base64'),
    AUTH_JWT_SECRET: TEST_JWT_SECRET,
  };
  runtime = await openRuntime(loadConfig(env), pino({ level: 'silent' }), 'database-role.test.ts');
  gw = await gatewayAs(runtime.database);
});

afterAll(async () => {
  if (!admin) return;
  await gw?.close();
  await runtime?.database.close();
  await owner?.close();
  for (const role of [APP_ROLE, OWNING_ROLE]) await asAdmin(`drop role if exists ${role}`);
});

const CREATE_ROLE = 'mutation($o: ID!, $n: String!) { createRole(organizationId: $o, input: { name: $n }) { id } }';

describe('the gateway as an application role that only inserts into and reads the audit log', () => {
  it.skipIf(!admin)('runs as that role, performs audited mutations, and writes and reads their entries', async () => {
    const who = await sql<{ role: string }>`select current_user as role`.execute(gw.db);
    expect(who.rows[0]?.role).toBe(APP_ROLE);
    const org = await createOrg(gw);
    await Promise.all(['one', 'two', 'three'].map((n) => expectAllowed(gw, org.owner.token, CREATE_ROLE, { o: String(org.organizationId), n })));
    const entries = await gw.db
      .selectFrom('auditLog')
      .select(['action', 'chainSeq'])
      .where('organizationId', '=', org.organizationId)
      .orderBy('chainSeq')
      .execute();
    expect(entries).toEqual([1, 2, 3].map((chainSeq) => ({ action: 'role.create', chainSeq })));
    expect((await verifyAuditChains(gw.db, org.organizationId)).verified).toBe(true);
  });

  it.skipIf(!admin).each([
    ['alter table audit_log disable trigger all', /must be owner of table audit_log/],
    ['drop trigger audit_log_no_update_or_delete on audit_log', /must be owner of relation audit_log/],
    ['delete from audit_log', /permission denied for table audit_log/],
    ["update audit_log set action = 'tampered'", /permission denied for table audit_log/],
    ['truncate audit_log', /permission denied for table audit_log/],
    ['drop table audit_log', /must be owner of table audit_log/],
    ['set session_replication_role = replica', /permission denied to set parameter/],
  ])('%s fails: permission denied (42501), before any trigger runs', async (statement, message) => {
    const error: unknown = await sql
      .raw(statement)
      .execute(gw.db)
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({ code: '42501', message: expect.stringMatching(message) });
  });

  it.skipIf(!admin)('gatehouse migrate as the owner grants again, taking back what was granted by hand', async () => {
    await sql`grant update, delete on audit_log to ${sql.id(APP_ROLE)}`.execute(owner.db);
    const env = {
      NODE_ENV: 'production',
      DATABASE_URL: appUrl,
      MIGRATION_DATABASE_URL: owner.url ?? '',
      GATEHOUSE_SECRET_KEY: crypto.randomBytes(32).toString('base64'),
      LOG_LEVEL: 'warn',
    };
    expect(await runCli(env, ['migrate'])).toEqual({ migrated: [] });
    expect(await runCli(env, ['migrate'])).toEqual({ migrated: [] });
    await expect(sql`delete from audit_log`.execute(gw.db)).rejects.toThrow(/permission denied for table audit_log/);
    const org = await createOrg(gw);
    await expectAllowed(gw, org.owner.token, CREATE_ROLE, { o: String(org.organizationId), n: 'after-migrate' });
  });

  it.skipIf(!admin)('a server given only the application role starts when no migration is pending', async () => {
    const config = loadConfig({
      NODE_ENV: 'test',
      DATABASE_URL: appUrl,
      GATEHOUSE_SECRET_KEY: crypto.randomBytes(32).toString('base64'),
      AUTH_JWT_SECRET: TEST_JWT_SECRET,
    });
    const started = await openRuntime(config, pino({ level: 'silent' }), 'database-role.test.ts');
    await started.database.close();
  });

  it.skipIf(!admin)('migrating refuses an application role that owns a table, saying how to fix it', async () => {
    await sql`alter table webhooks owner to ${sql.id(OWNING_ROLE)}`.execute(owner.db);
    const app = openDatabase({ url: urlAs(OWNING_ROLE), poolMax: 1 });
    try {
      await expect(migrateDatabase(app, owner.url)).rejects.toThrow(new RegExp(`${OWNING_ROLE} owns.*webhooks.*REASSIGN OWNED BY ${OWNING_ROLE}`));
    } finally {
      await app.close();
      await sql`alter table webhooks owner to current_user`.execute(owner.db);
    }
  });
});
