import type { Updateable } from 'kysely';
import type { Db, Executor } from '../../db/database.js';
import { deleteGrantsOf, replaceGrants, type AccessEntry } from '../../authz/entity-grants.repository.js';
import { accessListRepository } from '../access-lists/access-list.repository.js';
import type { LlmConnectionRow, LlmConnectionsTable, NewLlmConnection } from './llm-connections.table.js';
import { inTransaction } from '../../db/transaction.js';

// SPEC §3 "Entity RBAC for other resources": one predicate for list, count and single-item checks.
const llmConnections = accessListRepository({
  table: 'llmConnections',
  resourceType: 'LLM_CONNECTION',
  restrictedColumn: 'accessRestricted',
  selectFrom: (db) => db.selectFrom('llmConnections'),
});
export const { list: listLlmConnections, count: countLlmConnections, isVisible: isLlmConnectionVisible } = llmConnections;

export async function findLlmConnectionsByIds(db: Executor, ids: readonly string[]): Promise<LlmConnectionRow[]> {
  return db.selectFrom('llmConnections').selectAll().where('id', 'in', ids).execute();
}

export async function insertLlmConnection(db: Executor, values: NewLlmConnection): Promise<LlmConnectionRow> {
  return db.insertInto('llmConnections').values(values).returningAll().executeTakeFirstOrThrow();
}

export type LlmConnectionPatch = Pick<Updateable<LlmConnectionsTable>, 'name' | 'baseUrl' | 'defaultModel' | 'apiKeyCiphertext' | 'apiKeyHint'>;

export async function updateLlmConnection(db: Executor, organizationId: number, id: string, patch: LlmConnectionPatch): Promise<LlmConnectionRow | undefined> {
  return db
    .updateTable('llmConnections')
    .set({ ...patch, updatedAt: new Date() })
    .where('organizationId', '=', organizationId)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
}

/** Replaces (`entries`) or clears (`null`) the access list together with the restricted flag. */
export async function setLlmConnectionAccessList(
  db: Db,
  organizationId: number,
  id: string,
  entries: readonly AccessEntry[] | null,
): Promise<LlmConnectionRow | undefined> {
  return inTransaction(db, async (trx) => {
    const row = await trx
      .updateTable('llmConnections')
      .set({ accessRestricted: entries !== null, updatedAt: new Date() })
      .where('organizationId', '=', organizationId)
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirst();
    if (row) await replaceGrants(trx, organizationId, 'LLM_CONNECTION', id, entries ?? []);
    return row;
  });
}

/** Deletes the connection with its access list; an organization default pointing at it is cleared by its foreign key. */
export async function deleteLlmConnection(db: Db, organizationId: number, id: string): Promise<boolean> {
  return inTransaction(db, async (trx) => {
    const result = await trx.deleteFrom('llmConnections').where('organizationId', '=', organizationId).where('id', '=', id).executeTakeFirst();
    if (result.numDeletedRows === 0n) return false;
    await deleteGrantsOf(trx, 'LLM_CONNECTION', id);
    return true;
  });
}
