import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/connect.js';
import type { Db } from '../../src/db/database.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { insertAuditEntry } from '../../src/modules/audit/audit.repository.js';
import { createServerStore, type ServerStore } from '../support/server-process.js';
import { runGatehouse } from '../support/cli.js';

// `gatehouse audit verify [--org ID]` (issue 15 §5), the built bin on PGlite or PostgreSQL
// (TEST_DATABASE_URL). The entries are written in this process between runs of the CLI, which
// each open the store on their own (PGlite allows one process at a time).
const CLI_TIMEOUT_MS = 120_000;
let store: ServerStore;

const gatehouse = (...args: string[]) => runGatehouse(args, store.env);

/** Opens the store in this process, runs `work`, closes it again. */
async function withDb<T>(work: (db: Db) => Promise<T>): Promise<T> {
  const handle = store.env.DATABASE_URL
    ? openDatabase({ url: store.env.DATABASE_URL, poolMax: 1 })
    : openDatabase({ dataDir: store.env.DATA_DIR ?? '', holder: 'audit-verify.test.ts' });
  try {
    return await work(handle.db);
  } finally {
    await handle.close();
  }
}

const entry = (organizationId: number, action: string) => ({
  organizationId,
  actorUserId: null,
  actorServiceAccountId: null,
  actorName: 'ops@example.com',
  action,
  targetType: 'Role',
  targetId: action,
  before: null,
  after: { name: action, levels: { tools: 'READ' } },
  requestId: 'cli-test',
});

beforeAll(async () => {
  store = await createServerStore();
  await withDb(async (db) => {
    await migrateToLatest(db);
    for (const [org, action] of [
      [1, 'a'],
      [2, 'b'],
      [1, 'c'],
      [1, 'd'],
      [2, 'e'],
    ] as const) {
      await db.transaction().execute((trx) => insertAuditEntry(trx, entry(org, action)));
    }
  });
}, CLI_TIMEOUT_MS);
afterAll(async () => store.close());

describe('gatehouse audit verify', { timeout: CLI_TIMEOUT_MS }, () => {
  it("exits 0 with one line: the entries checked per chain and each chain's last hash", () => {
    const result = gatehouse('audit', 'verify');
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout.trim().split('\n')).toHaveLength(1);
    expect(JSON.parse(result.stdout)).toEqual({
      verified: true,
      entries: 5,
      chains: [
        { organizationId: 1, entries: 3, lastHash: expect.stringMatching(/^[0-9a-f]{64}$/), broken: null },
        { organizationId: 2, entries: 2, lastHash: expect.stringMatching(/^[0-9a-f]{64}$/), broken: null },
      ],
    });
    const one = gatehouse('audit', 'verify', '--org', '2');
    expect(one.status, one.stderr).toBe(0);
    expect(JSON.parse(one.stdout)).toMatchObject({ verified: true, entries: 2, chains: [{ organizationId: 2 }] });
  });

  it('exits 1 naming the first entry a superuser changed, its organization and what did not match', async () => {
    const changed = await withDb(async (db) => {
      const second = await db.selectFrom('auditLog').select('id').where('organizationId', '=', 1).where('chainSeq', '=', 2).executeTakeFirstOrThrow();
      await db.transaction().execute(async (trx) => {
        await sql`alter table audit_log disable trigger audit_log_no_update_or_delete`.execute(trx);
        await sql`update audit_log set actor_name = 'someone-else@example.com' where id = ${second.id}`.execute(trx);
        await sql`alter table audit_log enable trigger audit_log_no_update_or_delete`.execute(trx);
      });
      return second.id;
    });
    const result = gatehouse('audit', 'verify');
    expect(result.status, result.stdout + result.stderr).toBe(1);
    expect(result.stderr).toContain(`audit chain of organization 1 is broken: entry #2 (${changed}) was changed`);
    expect(result.stderr).toContain('no longer give its hash');
    const report = JSON.parse(result.stdout) as { verified: boolean; chains: Array<{ organizationId: number; broken: unknown }> };
    expect(report.verified).toBe(false);
    expect(report.chains.find((c) => c.organizationId === 1)?.broken).toMatchObject({ kind: 'changed', entryId: changed, chainSeq: 2 });
    expect(report.chains.find((c) => c.organizationId === 2)?.broken).toBeNull();
    // The other organization's chain alone still verifies.
    expect(gatehouse('audit', 'verify', '--org', '2').status).toBe(0);
  });

  it('refuses an organization with no entries, and takes no operand, with exit code 2', () => {
    const unknown = gatehouse('audit', 'verify', '--org', '99');
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain('Organization 99 does not exist and has no audit entries');
    expect(gatehouse('audit', 'verify', 'extra').status).toBe(2);
  });
});
