import { sql, type Kysely } from 'kysely';

// Issue 15 §2, ARCHIVE_RETENTION_HOURS: the sweep finds archives by age and asks whether a
// deployment was made from each (src/modules/archives/archives.repository.ts, deleteUnusedArchives).
// Without the second index, that question, and the foreign key's ON DELETE SET NULL of every
// deleted archive, would read all of automation_deployments.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.createIndex('automation_archives_created_idx').on('automation_archives').column('created_at').execute();
  await db.schema
    .createIndex('automation_deployments_archive_idx')
    .on('automation_deployments')
    .column('archive_id')
    .where(sql.ref('archive_id'), 'is not', null)
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('automation_deployments_archive_idx').execute();
  await db.schema.dropIndex('automation_archives_created_idx').execute();
}
