import type { Executor } from '../../db/database.js';
import type { NewStudioSnapshot, StudioSnapshotRow } from './studio-snapshots.table.js';

export async function insertStudioSnapshot(db: Executor, values: NewStudioSnapshot): Promise<StudioSnapshotRow> {
  return db.insertInto('studioDefinitionSnapshots').values(values).returningAll().executeTakeFirstOrThrow();
}

export async function findStudioSnapshot(db: Executor, organizationId: number, id: string): Promise<StudioSnapshotRow | undefined> {
  return db.selectFrom('studioDefinitionSnapshots').selectAll().where('organizationId', '=', organizationId).where('id', '=', id).executeTakeFirst();
}
