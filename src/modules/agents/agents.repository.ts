import type { Executor } from '../../db/database.js';
import { afterCursor, type Page } from '../../graphql/pagination.js';
import type { AgentRow, NewAgent } from './agents.table.js';

export async function findAgentsByIds(db: Executor, ids: readonly string[]): Promise<AgentRow[]> {
  return db.selectFrom('agents').selectAll().where('id', 'in', ids).execute();
}

export async function listAgents(db: Executor, organizationId: number, page: Page): Promise<AgentRow[]> {
  return db
    .selectFrom('agents')
    .selectAll()
    .where('organizationId', '=', organizationId)
    .where(afterCursor('agents', page.after))
    .orderBy('createdAt')
    .orderBy('id')
    .limit(page.limit + 1)
    .execute();
}

export async function countAgents(db: Executor, organizationId: number): Promise<number> {
  const row = await db
    .selectFrom('agents')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('organizationId', '=', organizationId)
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

export async function insertAgent(db: Executor, values: NewAgent): Promise<AgentRow> {
  return db.insertInto('agents').values(values).returningAll().executeTakeFirstOrThrow();
}

export interface AgentPatch {
  name?: string;
  role?: string;
  goal?: string;
  backstory?: string;
}

export async function updateAgent(db: Executor, organizationId: number, id: string, patch: AgentPatch): Promise<AgentRow | undefined> {
  return db
    .updateTable('agents')
    .set({ ...patch, updatedAt: new Date() })
    .where('organizationId', '=', organizationId)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
}

/** Training runs of the agent go with it (foreign key ON DELETE CASCADE). */
export async function deleteAgent(db: Executor, organizationId: number, id: string): Promise<boolean> {
  const result = await db.deleteFrom('agents').where('organizationId', '=', organizationId).where('id', '=', id).executeTakeFirst();
  return result.numDeletedRows > 0n;
}
