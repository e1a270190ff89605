import type { Executor } from '../db/database.js';

/** Whether the user operates the whole instance (SPEC §5: feature flags, every organization's namespace). */
export async function isInstanceAdmin(db: Executor, userId: string): Promise<boolean> {
  const row = await db.selectFrom('instanceAdmins').select('userId').where('userId', '=', userId).executeTakeFirst();
  return row !== undefined;
}

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
