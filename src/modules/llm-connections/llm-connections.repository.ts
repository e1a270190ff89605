import type { Updateable } from 'kysely';
import type { Db, Executor } from '../../db/database.js';
import { deleteGrantsOf, replaceGrants, visibleUnderAccessList, type AccessEntry } from '../../authz/entity-grants.repository.js';
import type { VisibilityScope } from '../../authz/principal.js';
import { afterCursor, type Page } from '../../graphql/pagination.js';
import type { LlmConnectionRow, LlmConnectionsTable, NewLlmConnection } from './llm-connections.table.js';
import { inTransaction } from '../../db/transaction.js';

// SPEC §3 "Entity RBAC for other resources": one predicate for list, count and single-item checks.
const visible = (scope: VisibilityScope) =>
  visibleUnderAccessList(scope, 'LLM_CONNECTION', 'llmConnections.id', 'llmConnections.accessRestricted');

export async function findLlmConnectionsByIds(db: Executor, ids: readonly string[]): Promise<LlmConnectionRow[]> {
  return db.selectFrom('llmConnections').selectAll().where('id', 'in', ids).execute();
}

export async function listLlmConnections(db: Executor, scope: VisibilityScope, page: Page): Promise<LlmConnectionRow[]> {
  return db
    .selectFrom('llmConnections')
    .selectAll()
    .where('organizationId', '=', scope.organizationId)
    .where(visible(scope))
    .where(afterCursor('llmConnections', page.after))
    .orderBy('createdAt')
    .orderBy('id')
    .limit(page.limit + 1)
    .execute();
}

export async function countLlmConnections(db: Executor, scope: VisibilityScope): Promise<number> {
  const row = await db
    .selectFrom('llmConnections')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('organizationId', '=', scope.organizationId)
    .where(visible(scope))
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

export async function isLlmConnectionVisible(db: Executor, id: string, scope: VisibilityScope): Promise<boolean> {
  const row = await db
    .selectFrom('llmConnections')
    .select('id')
    .where('organizationId', '=', scope.organizationId)
    .where('id', '=', id)
    .where(visible(scope))
    .executeTakeFirst();
  return row !== undefined;
}

export async function insertLlmConnection(db: Executor, values: NewLlmConnection): Promise<LlmConnectionRow> {
  return db.insertInto('llmConnections').values(values).returningAll().executeTakeFirstOrThrow();
}

export type LlmConnectionPatch = Pick<
  Updateable<LlmConnectionsTable>,
  'name' | 'baseUrl' | 'defaultModel' | 'apiKeyCiphertext' | 'apiKeyHint'
>;

export async function updateLlmConnection(
  db: Executor,
  organizationId: number,
  id: string,
  patch: LlmConnectionPatch,
): Promise<LlmConnectionRow | undefined> {
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
    const result = await trx
      .deleteFrom('llmConnections')
      .where('organizationId', '=', organizationId)
      .where('id', '=', id)
      .executeTakeFirst();
    if (result.numDeletedRows === 0n) return false;
    await deleteGrantsOf(trx, 'LLM_CONNECTION', id);
    return true;
  });
}
