import { Migrator, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrations } from '../../migrations/index.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { verifyAuditChains } from '../../src/modules/audit/audit-verify.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

// Entries written before the hash chain existed get their chain from the migration that adds it
// (migrations/2026_12_10_100000_audit_chain.ts), in the order the log lists them; verify then passes.
let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => database.close());

describe('the audit chain migration', () => {
  it('chains the entries that existed before it, per organization, in created_at order', async () => {
    const raw = database.db.withoutPlugins();
    const migrator = new Migrator({ db: raw, provider: { getMigrations: async () => migrations } });
    const down = await migrator.migrateTo('2026_12_09_100000_deploy_races');
    expect(down.error).toBeUndefined();
    // Written out of order, with two organizations interleaved and one entry without an organization.
    const legacy: Array<[number | null, string, string]> = [
      [1, 'c', '2026-12-01T10:00:03.123Z'],
      [2, 'x', '2026-12-01T10:00:01.000Z'],
      [1, 'a', '2026-12-01T10:00:01.5Z'],
      [null, 'flag', '2026-12-01T10:00:00Z'],
      [1, 'b', '2026-12-01T10:00:02Z'],
    ];
    for (const [organizationId, action, at] of legacy) {
      await sql`insert into audit_log (organization_id, actor_name, action, target_type, target_id, before, after, request_id, created_at)
        values (${organizationId}, 'old@example.com', ${action}, 'Role', ${action}, null, ${JSON.stringify({ name: action, nested: { z: 1, a: [true, null] } })}::jsonb, 'r', ${at}::timestamptz)`.execute(
        raw,
      );
    }
    await migrateToLatest(database.db);
    const chained = await database.db
      .selectFrom('auditLog')
      .select(['organizationId', 'action', 'chainSeq'])
      .orderBy(sql`organization_id nulls first`)
      .orderBy('chainSeq')
      .execute();
    expect(chained).toEqual([
      { organizationId: null, action: 'flag', chainSeq: 1 },
      { organizationId: 1, action: 'a', chainSeq: 1 },
      { organizationId: 1, action: 'b', chainSeq: 2 },
      { organizationId: 1, action: 'c', chainSeq: 3 },
      { organizationId: 2, action: 'x', chainSeq: 1 },
    ]);
    const report = await verifyAuditChains(database.db);
    expect(report).toMatchObject({ verified: true, entries: 5 });
    expect(report.chains.map((c) => [c.organizationId, c.entries])).toEqual([
      [null, 1],
      [1, 3],
      [2, 1],
    ]);
  });
});
