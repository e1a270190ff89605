import { sql, type Expression, type ExpressionBuilder, type SqlBool } from 'kysely';
import type { Database, Db, Executor } from '../../db/database.js';
import { deploymentsOfArchive } from '../deployments/deployments.repository.js';
import type { ArchiveRow, NewArchive } from './archives.table.js';

/** An archive without its bytes: what callers need after an upload. */
export type ArchiveSummary = Omit<ArchiveRow, 'content'>;

/** Unscoped by organization: callers compare `organizationId` with the organization they act in (SPEC §1). */
export async function findArchivesByIds(db: Executor, ids: readonly string[]): Promise<ArchiveRow[]> {
  return db.selectFrom('automationArchives').selectAll().where('id', 'in', ids).execute();
}

export async function insertArchive(db: Executor, values: NewArchive): Promise<ArchiveSummary> {
  // Not returningAll: the content would travel back from the database for nothing.
  return db
    .insertInto('automationArchives')
    .values(values)
    .returning(['id', 'organizationId', 'sha256', 'sizeBytes', 'uploadedByUserId', 'createdAt'])
    .executeTakeFirstOrThrow();
}

/** No deployment was made from the archive: the retention sweep may delete it once it is old enough. */
function unused(db: Executor) {
  return (eb: ExpressionBuilder<Database, 'automationArchives'>): Expression<SqlBool> =>
    eb.not(eb.exists(deploymentsOfArchive(db, eb.ref('automationArchives.id'))));
}

/** Bytes of archives the organization stores: what ARCHIVE_QUOTA_BYTES counts. */
export async function storedArchiveBytes(db: Executor, organizationId: number): Promise<number> {
  const row = await db
    .selectFrom('automationArchives')
    .select((eb) => eb.fn.coalesce(eb.fn.sum<string>('sizeBytes'), sql<string>`0`).as('bytes'))
    .where('organizationId', '=', organizationId)
    .executeTakeFirstOrThrow();
  return Number(row.bytes);
}

export interface ArchiveStorage {
  storedBytes: number;
  /** Of those, the archives no deployment was made from, which the retention sweep deletes … */
  unusedBytes: number;
  /** … the oldest first, uploaded then (null: none). */
  oldestUnusedAt: Date | null;
}

/** What an organization stores, for the message of a refusal by its quota. */
export async function archiveStorage(db: Executor, organizationId: number): Promise<ArchiveStorage> {
  const row = await db
    .selectFrom('automationArchives')
    .select((eb) => [
      eb.fn.coalesce(eb.fn.sum<string>('sizeBytes'), sql<string>`0`).as('stored'),
      eb.fn.coalesce(eb.fn.sum<string>('sizeBytes').filterWhere(unused(db)), sql<string>`0`).as('unused'),
      eb.fn.min<Date | null>('createdAt').filterWhere(unused(db)).as('oldestUnusedAt'),
    ])
    .where('organizationId', '=', organizationId)
    .executeTakeFirstOrThrow();
  return { storedBytes: Number(row.stored), unusedBytes: Number(row.unused), oldestUnusedAt: row.oldestUnusedAt };
}

/**
 * Inserts the archive unless the organization's archives would then pass `quotaBytes` (0: no
 * quota); otherwise answers what it stores now. The check and the insert hold an advisory lock on
 * the organization's quota, so that two uploads that each fit in the room left cannot both take it.
 */
export async function insertArchiveWithinQuota(db: Db, values: NewArchive, quotaBytes: number): Promise<{ archive: ArchiveSummary } | { storedBytes: number }> {
  if (quotaBytes === 0) return { archive: await insertArchive(db, values) };
  return db.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(hashtext('automation_archives quota'), ${values.organizationId}::integer)`.execute(trx);
    const storedBytes = await storedArchiveBytes(trx, values.organizationId);
    if (storedBytes + values.sizeBytes > quotaBytes) return { storedBytes };
    return { archive: await insertArchive(trx, values) };
  });
}

/**
 * One batch of the retention sweep: archives uploaded more than `retentionHours` ago that no
 * deployment was made from. Safe to run on every replica at once, and again: the candidates are
 * locked FOR UPDATE SKIP LOCKED, so replicas share the work, and an archive a deploy is recording
 * right now is skipped (the deployment's foreign key holds it FOR KEY SHARE until it commits).
 * The delete is a second statement, whose snapshot is newer than those locks: it spares an archive
 * whose deployment committed in between. Answers how many were locked and how many deleted.
 */
export async function deleteUnusedArchives(db: Db, retentionHours: number, batch: number): Promise<{ candidates: number; deleted: number }> {
  return db.transaction().execute(async (trx) => {
    const locked = await trx
      .selectFrom('automationArchives')
      .select('id')
      .where('createdAt', '<', sql<Date>`now() - make_interval(hours => ${retentionHours}::integer)`)
      .where(unused(trx))
      .limit(batch)
      .forUpdate()
      .skipLocked()
      .execute();
    if (locked.length === 0) return { candidates: 0, deleted: 0 };
    const result = await trx
      .deleteFrom('automationArchives')
      .where(
        'id',
        'in',
        locked.map((row) => row.id),
      )
      .where(unused(trx))
      .executeTakeFirst();
    return { candidates: locked.length, deleted: Number(result.numDeletedRows) };
  });
}
