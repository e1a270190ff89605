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

/** The organization's service accounts; `enabledOnly`: those that can still sign in. */
export async function countServiceAccounts(db: Executor, organizationId: number, options: { enabledOnly?: boolean } = {}): Promise<number> {
  const row = await db
    .selectFrom('serviceAccounts')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('organizationId', '=', organizationId)
    .$if(options.enabledOnly === true, (qb) => qb.where('disabledAt', 'is', null))
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
