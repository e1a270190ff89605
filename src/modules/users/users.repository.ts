import type { Executor } from '../../db/database.js';
import { isUniqueViolation } from '../../db/errors.js';
import type { NewUser, UserRow } from './users.table.js';

export async function findUsersByIds(db: Executor, ids: readonly string[]): Promise<UserRow[]> {
  return db.selectFrom('users').selectAll().where('id', 'in', ids).execute();
}

/**
 * The user who holds this address: its one verified user. Users with the address unverified are
 * not found by it (migrations/2026_12_11_100000_email_verified.ts), so nothing addressed by email
 * (an invitation, a link, an operator's grant) ever reaches them.
 */
export async function findUserByEmail(db: Executor, email: string): Promise<UserRow | undefined> {
  return db
    .selectFrom('users')
    .selectAll()
    .where((eb) => eb(eb.fn('lower', ['email']), '=', email.toLowerCase()))
    .where('emailVerified', '=', true)
    .executeTakeFirst();
}

export async function findUserBySubject(db: Executor, subject: string): Promise<UserRow | undefined> {
  return db.selectFrom('users').selectAll().where('authSubject', '=', subject).executeTakeFirst();
}

export async function insertUser(db: Executor, values: NewUser): Promise<UserRow> {
  return db.insertInto('users').values(values).returningAll().executeTakeFirstOrThrow();
}

/** Links a JWT subject to an existing user that has none yet. */
export async function linkSubject(db: Executor, userId: string, subject: string): Promise<UserRow | undefined> {
  return db.updateTable('users').set({ authSubject: subject }).where('id', '=', userId).where('authSubject', 'is', null).returningAll().executeTakeFirst();
}

/**
 * Marks the user's address proven; undefined when another user already holds it verified (the
 * unique index decides, so two sign-ins at once cannot both take it).
 */
export async function markEmailVerified(db: Executor, userId: string): Promise<UserRow | undefined> {
  try {
    return await db.updateTable('users').set({ emailVerified: true }).where('id', '=', userId).returningAll().executeTakeFirst();
  } catch (error) {
    if (isUniqueViolation(error)) return undefined;
    throw error;
  }
}

/**
 * The user with this email, created if there is none (CLI: `org create --owner-email`). The
 * operator names the address, so it counts as verified: the first sign-in whose identity provider
 * verifies it links to this user.
 */
export async function findOrCreateUserByEmail(db: Executor, email: string, name?: string): Promise<UserRow> {
  const existing = await findUserByEmail(db, email);
  if (existing) return existing;
  return insertUser(db, { email, name: name ?? email.split('@')[0] ?? email, emailVerified: true });
}
