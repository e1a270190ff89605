import type { Executor } from '../../db/database.js';
import { afterCursor, type Page } from '../../graphql/pagination.js';
import type { NewStudioProject, StudioProjectRow } from './studio-projects.table.js';

export async function findStudioProjectsByIds(db: Executor, ids: readonly string[]): Promise<StudioProjectRow[]> {
  return db.selectFrom('studioProjects').selectAll().where('id', 'in', ids).execute();
}

export async function listStudioProjects(db: Executor, organizationId: number, page: Page): Promise<StudioProjectRow[]> {
  return db
    .selectFrom('studioProjects')
    .selectAll()
    .where('organizationId', '=', organizationId)
    .where(afterCursor('studioProjects', page.after))
    .orderBy('createdAt')
    .orderBy('id')
    .limit(page.limit + 1)
    .execute();
}

export async function countStudioProjects(db: Executor, organizationId: number): Promise<number> {
  const row = await db
    .selectFrom('studioProjects')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('organizationId', '=', organizationId)
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

export async function insertStudioProject(db: Executor, values: NewStudioProject): Promise<StudioProjectRow> {
  return db.insertInto('studioProjects').values(values).returningAll().executeTakeFirstOrThrow();
}

export interface StudioProjectPatch {
  name?: string;
  description?: string;
  /** JSON text of a checked definition (studio-definition.ts). */
  definition?: string;
}

export async function updateStudioProject(db: Executor, organizationId: number, id: string, patch: StudioProjectPatch): Promise<StudioProjectRow | undefined> {
  return db
    .updateTable('studioProjects')
    .set({ ...patch, updatedAt: new Date() })
    .where('organizationId', '=', organizationId)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
}

export async function deleteStudioProject(db: Executor, organizationId: number, id: string): Promise<boolean> {
  const result = await db.deleteFrom('studioProjects').where('organizationId', '=', organizationId).where('id', '=', id).executeTakeFirst();
  return result.numDeletedRows > 0n;
}
