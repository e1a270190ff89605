import type { Db, Executor } from '../../db/database.js';
import { deleteGrantsOf, replaceGrants, type AccessEntry } from '../../authz/entity-grants.repository.js';
import { accessListRepository } from '../access-lists/access-list.repository.js';
import type { EnvVarRow, NewEnvVar } from './env-vars.table.js';
import { inTransaction } from '../../db/transaction.js';

// SPEC §3 "Entity RBAC for other resources": one predicate for list, count and single-item checks.
const envVars = accessListRepository({
  table: 'envVars',
  resourceType: 'ENV_VAR',
  restrictedColumn: 'accessRestricted',
  selectFrom: (db) => db.selectFrom('envVars'),
});
export const { list: listEnvVars, count: countEnvVars, visibleIds: visibleEnvVarIds, isVisible: isEnvVarVisible } = envVars;

export async function findEnvVarsByIds(db: Executor, ids: readonly string[]): Promise<EnvVarRow[]> {
  return db.selectFrom('envVars').selectAll().where('id', 'in', ids).execute();
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
export async function setEnvVarAccessList(db: Db, organizationId: number, id: string, entries: readonly AccessEntry[] | null): Promise<EnvVarRow | undefined> {
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
