import type { Db, Executor } from '../../db/database.js';
import { deleteGrantsOf, replaceGrants, visibleUnderAccessList, type AccessEntry } from '../../authz/entity-grants.repository.js';
import type { VisibilityScope } from '../../authz/principal.js';
import { afterCursor, type Page } from '../../graphql/pagination.js';
import type { EnvVarRow, NewEnvVar } from './env-vars.table.js';
import { inTransaction } from '../../db/transaction.js';

// SPEC §3 "Entity RBAC for other resources": one predicate for list, count and single-item checks.
const visible = (scope: VisibilityScope) => visibleUnderAccessList(scope, 'ENV_VAR', 'envVars.id', 'envVars.accessRestricted');

export async function findEnvVarsByIds(db: Executor, ids: readonly string[]): Promise<EnvVarRow[]> {
  return db.selectFrom('envVars').selectAll().where('id', 'in', ids).execute();
}

export async function listEnvVars(db: Executor, scope: VisibilityScope, page: Page): Promise<EnvVarRow[]> {
  return db
    .selectFrom('envVars')
    .selectAll()
    .where('organizationId', '=', scope.organizationId)
    .where(visible(scope))
    .where(afterCursor('envVars', page.after))
    .orderBy('createdAt')
    .orderBy('id')
    .limit(page.limit + 1)
    .execute();
}

export async function countEnvVars(db: Executor, scope: VisibilityScope): Promise<number> {
  const row = await db
    .selectFrom('envVars')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('organizationId', '=', scope.organizationId)
    .where(visible(scope))
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

/** The ids among `ids` that the scope may see: one query for any number of env vars. */
export async function visibleEnvVarIds(db: Executor, ids: readonly string[], scope: VisibilityScope): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await db
    .selectFrom('envVars')
    .select('id')
    .where('organizationId', '=', scope.organizationId)
    .where('id', 'in', ids)
    .where(visible(scope))
    .execute();
  return new Set(rows.map((row) => row.id));
}

export async function isEnvVarVisible(db: Executor, id: string, scope: VisibilityScope): Promise<boolean> {
  return (await visibleEnvVarIds(db, [id], scope)).has(id);
}

export async function insertEnvVar(db: Executor, values: NewEnvVar): Promise<EnvVarRow> {
  return db.insertInto('envVars').values(values).returningAll().executeTakeFirstOrThrow();
}

export async function updateEnvVarValue(db: Executor, organizationId: number, id: string, valueCiphertext: Buffer): Promise<EnvVarRow | undefined> {
  return db
    .updateTable('envVars')
    .set({ valueCiphertext, updatedAt: new Date() })
    .where('organizationId', '=', organizationId)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
}

/**
 * Replaces the access list (`entries`) or clears it (`null`), with the restricted flag, atomically:
 * a reader never sees a restricted env var with a half-written list.
 */
export async function setEnvVarAccessList(
  db: Db,
  organizationId: number,
  id: string,
  entries: readonly AccessEntry[] | null,
): Promise<EnvVarRow | undefined> {
  return inTransaction(db, async (trx) => {
    const row = await trx
      .updateTable('envVars')
      .set({ accessRestricted: entries !== null, updatedAt: new Date() })
      .where('organizationId', '=', organizationId)
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirst();
    if (row) await replaceGrants(trx, organizationId, 'ENV_VAR', id, entries ?? []);
    return row;
  });
}

/** Deletes the env var with its access list. */
export async function deleteEnvVar(db: Db, organizationId: number, id: string): Promise<boolean> {
  return inTransaction(db, async (trx) => {
    const result = await trx.deleteFrom('envVars').where('organizationId', '=', organizationId).where('id', '=', id).executeTakeFirst();
    if (result.numDeletedRows === 0n) return false;
    await deleteGrantsOf(trx, 'ENV_VAR', id);
    return true;
  });
}
