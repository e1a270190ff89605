import { sql } from 'kysely';
import type { Executor } from '../../db/database.js';
import { afterCursor, type Page } from '../../graphql/pagination.js';
import type { NewServiceAccount, ServiceAccountRow } from './service-accounts.table.js';

export async function findServiceAccountsByIds(db: Executor, ids: readonly string[]): Promise<ServiceAccountRow[]> {
  return db.selectFrom('serviceAccounts').selectAll().where('id', 'in', ids).execute();
}

export async function listServiceAccounts(db: Executor, organizationId: number, page: Page): Promise<ServiceAccountRow[]> {
  return db
    .selectFrom('serviceAccounts')
    .selectAll()
    .where('organizationId', '=', organizationId)
    .where(afterCursor('serviceAccounts', page.after))
    .orderBy('createdAt')
    .orderBy('id')
    .limit(page.limit + 1)
    .execute();
}

export async function countServiceAccounts(db: Executor, organizationId: number): Promise<number> {
  const row = await db
    .selectFrom('serviceAccounts')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('organizationId', '=', organizationId)
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

/** Service accounts that can still sign in (disabled ones aside). */
export async function countEnabledServiceAccounts(db: Executor, organizationId: number): Promise<number> {
  const row = await db
    .selectFrom('serviceAccounts')
    .select((eb) => eb.fn.countAll<string>().as('count'))
    .where('organizationId', '=', organizationId)
    .where('disabledAt', 'is', null)
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

export async function insertServiceAccount(db: Executor, values: NewServiceAccount): Promise<ServiceAccountRow> {
  return db.insertInto('serviceAccounts').values(values).returningAll().executeTakeFirstOrThrow();
}

/**
 * Disables the service account; disabling it again keeps the first time (idempotent). Its tokens
 * stop working because authentication refuses a disabled service account.
 */
export async function disableServiceAccount(db: Executor, organizationId: number, id: string): Promise<ServiceAccountRow | undefined> {
  return db
    .updateTable('serviceAccounts')
    .set((eb) => ({ disabledAt: eb.fn.coalesce('disabledAt', sql<Date>`now()`) }))
    .where('organizationId', '=', organizationId)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
}
