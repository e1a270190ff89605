import type { Executor } from '../../db/database.js';
import type { OrganizationRow, OrganizationUpdate } from './organizations.table.js';

export async function findOrganizationsByIds(db: Executor, ids: readonly number[]): Promise<OrganizationRow[]> {
  return db.selectFrom('organizations').selectAll().where('id', 'in', ids).execute();
}

export async function updateOrganization(db: Executor, id: number, patch: OrganizationUpdate): Promise<OrganizationRow> {
  return db
    .updateTable('organizations')
    .set({ ...patch, updatedAt: new Date() })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function insertOrganization(db: Executor, name: string): Promise<OrganizationRow> {
  return db.insertInto('organizations').values({ name }).returningAll().executeTakeFirstOrThrow();
}

export async function listOrganizationIds(db: Executor): Promise<number[]> {
  return (await db.selectFrom('organizations').select('id').orderBy('id').execute()).map((row) => row.id);
}
