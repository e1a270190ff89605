import type { Executor } from '../../db/database.js';
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
