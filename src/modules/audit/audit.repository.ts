import crypto from 'node:crypto';
import { sql, type Transaction } from 'kysely';
import type { Database, Executor } from '../../db/database.js';
import { beforeCursor, type Page } from '../../graphql/pagination.js';
import { auditEntryHash, type ChainedEntry } from './audit-hash.js';
import type { AuditEntryRow } from './audit.table.js';

/** What the caller says about an entry; its id, time and place in the chain are set here. */
export type AuditEntryInput = Omit<AuditEntryRow, 'id' | 'createdAt' | 'chainSeq' | 'prevHash' | 'hash'>;

// First key of pg_advisory_xact_lock(int, int) for the audit chains ('audi'); the second is the
// organization, 0 for the chain of entries without one (organization ids start at 1).
const AUDIT_CHAIN_LOCK = 0x61756469;

/** The chain an entry belongs to, as the unique index audit_log_chain_idx spells it. */
export const chainKey = (organizationId: number | null): number => organizationId ?? 0;

/**
 * Appends an entry to its organization's chain (audit-hash.ts). Takes a transaction, not the pool:
 * the advisory lock that keeps two inserts of one organization from reading the same last entry
 * (and forking the chain) is held until that transaction ends, and the entry commits with the
 * mutation it records. Concurrent mutations of one organization wait here only for each other's
 * commit, at the end of their transactions.
 */
export async function insertAuditEntry(trx: Transaction<Database>, input: AuditEntryInput): Promise<ChainedEntry & { hash: string }> {
  const key = chainKey(input.organizationId);
  await sql`select pg_advisory_xact_lock(${AUDIT_CHAIN_LOCK}, ${key})`.execute(trx);
  const last = await trx
    .selectFrom('auditLog')
    .select(['chainSeq', 'hash'])
    .where(sql<number>`coalesce(organization_id, 0)`, '=', key)
    .orderBy('chainSeq', 'desc')
    .limit(1)
    .executeTakeFirst();
  // The database's clock, taken after the lock so that times rise along the chain, rounded to the
  // milliseconds the column keeps: the hashed time is the stored one.
  const clock = await sql<{ now: Date }>`select clock_timestamp()::timestamptz(3) as now`.execute(trx);
  const createdAt = clock.rows[0]?.now;
  if (!(createdAt instanceof Date)) throw new Error('The database did not return clock_timestamp() as a timestamp.');
  const before = input.before === null ? null : JSON.stringify(input.before);
  const after = input.after === null ? null : JSON.stringify(input.after);
  // Hashed as it will be read back: the JSON text, parsed, not the object (undefined fields dropped).
  const entry: ChainedEntry = {
    ...input,
    id: crypto.randomUUID(),
    before: before === null ? null : (JSON.parse(before) as unknown),
    after: after === null ? null : (JSON.parse(after) as unknown),
    createdAt,
    chainSeq: (last?.chainSeq ?? 0) + 1,
    prevHash: last?.hash ?? null,
  };
  const hash = auditEntryHash(entry);
  await trx
    .insertInto('auditLog')
    .values({ ...input, id: entry.id, before, after, createdAt, chainSeq: entry.chainSeq, prevHash: entry.prevHash, hash })
    .execute();
  return { ...entry, hash };
}

/** The organizations (null: entries without one) that have a chain, in order. */
export async function listAuditChains(db: Executor): Promise<(number | null)[]> {
  const rows = await db
    .selectFrom('auditLog')
    .select('organizationId')
    .distinct()
    .orderBy(sql`organization_id nulls first`)
    .execute();
  return rows.map((row) => row.organizationId);
}

export async function hasAuditEntries(db: Executor, organizationId: number): Promise<boolean> {
  return (await db.selectFrom('auditLog').select('id').where('organizationId', '=', organizationId).limit(1).executeTakeFirst()) !== undefined;
}

/** Up to `limit` entries of one chain after position `afterSeq`, in chain order. */
export async function readAuditChain(db: Executor, organizationId: number | null, afterSeq: number, limit: number): Promise<AuditEntryRow[]> {
  return db
    .selectFrom('auditLog')
    .selectAll()
    .where(sql<number>`coalesce(organization_id, 0)`, '=', chainKey(organizationId))
    .where('chainSeq', '>', afterSeq)
    .orderBy('chainSeq')
    .limit(limit)
    .execute();
}

export interface AuditFilter {
  action?: string | null;
  actorUserId?: string | null;
  actorServiceAccountId?: string | null;
  targetType?: string | null;
  targetId?: string | null;
  since?: Date | null;
  until?: Date | null;
}

function filtered(db: Executor, organizationId: number, filter: AuditFilter) {
  return db
    .selectFrom('auditLog')
    .where('organizationId', '=', organizationId)
    .$if(Boolean(filter.action), (qb) => qb.where('action', '=', filter.action ?? ''))
    .$if(Boolean(filter.actorUserId), (qb) => qb.where('actorUserId', '=', filter.actorUserId ?? ''))
    .$if(Boolean(filter.actorServiceAccountId), (qb) => qb.where('actorServiceAccountId', '=', filter.actorServiceAccountId ?? ''))
    .$if(Boolean(filter.targetType), (qb) => qb.where('targetType', '=', filter.targetType ?? ''))
    .$if(Boolean(filter.targetId), (qb) => qb.where('targetId', '=', filter.targetId ?? ''))
    .$if(Boolean(filter.since), (qb) => qb.where('createdAt', '>=', filter.since ?? new Date(0)))
    .$if(Boolean(filter.until), (qb) => qb.where('createdAt', '<', filter.until ?? new Date(0)));
}

/** Newest first. */
export async function listAuditEntries(db: Executor, organizationId: number, filter: AuditFilter, page: Page): Promise<AuditEntryRow[]> {
  return filtered(db, organizationId, filter)
    .selectAll()
    .where(beforeCursor('auditLog', page.after))
    .orderBy('createdAt', 'desc')
    .orderBy('id', 'desc')
    .limit(page.limit + 1)
    .execute();
}

export async function countAuditEntries(db: Executor, organizationId: number, filter: AuditFilter): Promise<number> {
  const row = await filtered(db, organizationId, filter)
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .executeTakeFirstOrThrow();
  return Number(row.count);
}
