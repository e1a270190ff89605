import { sql, type Kysely } from 'kysely';
import { auditEntryHash } from '../src/modules/audit/audit-hash.js';

// Issue 15 §5: a hash chain through the audit log, one chain per organization (and one for entries
// without an organization). chain_seq numbers an entry within its chain; prev_hash and hash link it
// to its predecessor (src/modules/audit/audit-hash.ts). The unique index makes a fork (two entries
// at one position) an error rather than a silent second branch.
//
// Entries written before this migration get their chain here, in the order the log lists them
// (created_at, then id: ids are random UUIDs, so id alone gives no order). The hash function is
// imported rather than copied so that the backfill and the verifier can never disagree; it is
// versioned (AUDIT_HASH_VERSION) for that reason.

interface LegacyEntry {
  id: string;
  organization_id: number | null;
  actor_user_id: string | null;
  actor_service_account_id: string | null;
  actor_name: string;
  action: string;
  target_type: string;
  target_id: string | null;
  before: unknown;
  after: unknown;
  request_id: string;
  created_at: Date;
}

const PAGE = 1_000;

async function backfill(db: Kysely<unknown>): Promise<void> {
  let cursor: LegacyEntry | undefined;
  let chain: { key: number; seq: number; hash: string | null } = { key: -1, seq: 0, hash: null };
  for (;;) {
    const after = cursor
      ? sql`where (coalesce(organization_id, 0), created_at, id) > (${cursor.organization_id ?? 0}, ${cursor.created_at}, ${cursor.id}::uuid)`
      : sql``;
    const page = await sql<LegacyEntry>`select * from audit_log ${after}
      order by coalesce(organization_id, 0), created_at, id limit ${PAGE}`.execute(db);
    if (page.rows.length === 0) return;
    const values = page.rows.map((row) => {
      const key = row.organization_id ?? 0;
      if (key !== chain.key) chain = { key, seq: 0, hash: null };
      const chainSeq = chain.seq + 1;
      const hash = auditEntryHash({
        id: row.id,
        organizationId: row.organization_id,
        chainSeq,
        actorUserId: row.actor_user_id,
        actorServiceAccountId: row.actor_service_account_id,
        actorName: row.actor_name,
        action: row.action,
        targetType: row.target_type,
        targetId: row.target_id,
        before: row.before,
        after: row.after,
        requestId: row.request_id,
        createdAt: row.created_at,
        prevHash: chain.hash,
      });
      const value = sql`(${row.id}::uuid, ${chainSeq}::bigint, ${chain.hash}::text, ${hash}::text)`;
      chain = { key, seq: chainSeq, hash };
      return value;
    });
    await sql`update audit_log a set chain_seq = v.chain_seq, prev_hash = v.prev_hash, hash = v.hash
      from (values ${sql.join(values)}) as v(id, chain_seq, prev_hash, hash) where a.id = v.id`.execute(db);
    cursor = page.rows[page.rows.length - 1];
  }
}

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('audit_log').addColumn('chain_seq', 'bigint').addColumn('prev_hash', 'text').addColumn('hash', 'text').execute();
  // The owner may lift the append-only trigger for its own migration; it is back before the commit.
  await sql`alter table audit_log disable trigger audit_log_no_update_or_delete`.execute(db);
  await backfill(db);
  await sql`alter table audit_log enable trigger audit_log_no_update_or_delete`.execute(db);
  await db.schema
    .alterTable('audit_log')
    .alterColumn('chain_seq', (c) => c.setNotNull())
    .execute();
  await db.schema
    .alterTable('audit_log')
    .alterColumn('hash', (c) => c.setNotNull())
    .execute();
  await sql`create unique index audit_log_chain_idx on audit_log (coalesce(organization_id, 0), chain_seq)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('audit_log_chain_idx').execute();
  await db.schema.alterTable('audit_log').dropColumn('hash').dropColumn('prev_hash').dropColumn('chain_seq').execute();
}
