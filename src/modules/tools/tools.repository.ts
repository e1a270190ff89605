import type { Executor } from '../../db/database.js';
import { afterCursor, type Page } from '../../graphql/pagination.js';
import type { NewTool, ToolRow } from './tools.table.js';

export async function findToolsByIds(db: Executor, ids: readonly string[]): Promise<ToolRow[]> {
  return db.selectFrom('tools').selectAll().where('id', 'in', ids).execute();
}

export async function listTools(db: Executor, organizationId: number, page: Page): Promise<ToolRow[]> {
  return db
    .selectFrom('tools')
    .selectAll()
    .where('organizationId', '=', organizationId)
    .where(afterCursor('tools', page.after))
    .orderBy('createdAt')
    .orderBy('id')
    .limit(page.limit + 1)
    .execute();
}

export async function countTools(db: Executor, organizationId: number): Promise<number> {
  const row = await db
    .selectFrom('tools')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('organizationId', '=', organizationId)
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

export async function insertTool(db: Executor, values: NewTool): Promise<ToolRow> {
  return db.insertInto('tools').values(values).returningAll().executeTakeFirstOrThrow();
}

export interface ToolPatch {
  name?: string;
  description?: string;
  config?: string;
}

export async function updateTool(db: Executor, organizationId: number, id: string, patch: ToolPatch): Promise<ToolRow | undefined> {
  return db
    .updateTable('tools')
    .set({ ...patch, updatedAt: new Date() })
    .where('organizationId', '=', organizationId)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
}

export async function deleteTool(db: Executor, organizationId: number, id: string): Promise<boolean> {
  const result = await db.deleteFrom('tools').where('organizationId', '=', organizationId).where('id', '=', id).executeTakeFirst();
  return result.numDeletedRows > 0n;
}
