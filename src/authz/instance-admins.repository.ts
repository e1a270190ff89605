import type { Executor } from '../db/database.js';

/** Idempotent: granting twice leaves one row. */
export async function grantInstanceAdmin(db: Executor, userId: string): Promise<void> {
  await db
    .insertInto('instanceAdmins')
    .values({ userId })
    .onConflict((oc) => oc.column('userId').doNothing())
    .execute();
}

/** Resolves to false when the user was not an instance administrator. */
export async function revokeInstanceAdmin(db: Executor, userId: string): Promise<boolean> {
  const result = await db.deleteFrom('instanceAdmins').where('userId', '=', userId).executeTakeFirst();
  return result.numDeletedRows > 0n;
}
