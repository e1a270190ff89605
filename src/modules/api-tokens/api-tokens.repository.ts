import type { Executor } from '../../db/database.js';
import type { ApiTokenRow, NewApiToken } from './api-tokens.table.js';

export async function findApiTokensByIds(db: Executor, ids: readonly string[]): Promise<ApiTokenRow[]> {
  return db.selectFrom('apiTokens').selectAll().where('id', 'in', ids).execute();
}

export async function insertApiToken(db: Executor, values: NewApiToken): Promise<ApiTokenRow> {
  return db.insertInto('apiTokens').values(values).returningAll().executeTakeFirstOrThrow();
}

/** A token that is neither revoked nor expired, by the hash of its secret. */
export async function findActiveTokenByHash(db: Executor, hash: Buffer): Promise<ApiTokenRow | undefined> {
  return db
    .selectFrom('apiTokens')
    .selectAll()
    .where('tokenHash', '=', hash)
    .where('revokedAt', 'is', null)
    .where((eb) => eb.or([eb('expiresAt', 'is', null), eb('expiresAt', '>', new Date())]))
    .executeTakeFirst();
}

/**
 * Records use at most once a minute per token: "last used" stays accurate to the minute without
 * a write on every request.
 */
export async function touchLastUsed(db: Executor, id: string, now: Date): Promise<void> {
  const staleBefore = new Date(now.getTime() - 60_000);
  await db
    .updateTable('apiTokens')
    .set({ lastUsedAt: now })
    .where('id', '=', id)
    .where((eb) => eb.or([eb('lastUsedAt', 'is', null), eb('lastUsedAt', '<', staleBefore)]))
    .execute();
}

export async function listUserTokens(db: Executor, organizationId: number, userId: string): Promise<ApiTokenRow[]> {
  return db
    .selectFrom('apiTokens')
    .selectAll()
    .where('organizationId', '=', organizationId)
    .where('userId', '=', userId)
    .orderBy('createdAt')
    .orderBy('id')
    .execute();
}

export async function listServiceAccountTokens(db: Executor, serviceAccountId: string): Promise<ApiTokenRow[]> {
  return db.selectFrom('apiTokens').selectAll().where('serviceAccountId', '=', serviceAccountId).orderBy('createdAt').orderBy('id').execute();
}

export async function revokeApiToken(db: Executor, organizationId: number, id: string): Promise<ApiTokenRow | undefined> {
  return db
    .updateTable('apiTokens')
    .set({ revokedAt: new Date() })
    .where('organizationId', '=', organizationId)
    .where('id', '=', id)
    .where('revokedAt', 'is', null)
    .returningAll()
    .executeTakeFirst();
}

/** Used when a member leaves: their tokens in that organization stop working. */
export async function revokeUserTokens(trx: Executor, organizationId: number, userId: string): Promise<void> {
  await trx
    .updateTable('apiTokens')
    .set({ revokedAt: new Date() })
    .where('organizationId', '=', organizationId)
    .where('userId', '=', userId)
    .where('revokedAt', 'is', null)
    .execute();
}
