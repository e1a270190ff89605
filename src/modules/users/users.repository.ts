import type { Executor } from '../../db/database.js';
import type { NewUser, UserRow } from './users.table.js';

export async function findUsersByIds(db: Executor, ids: readonly string[]): Promise<UserRow[]> {
  return db.selectFrom('users').selectAll().where('id', 'in', ids).execute();
}

export async function findUserByEmail(db: Executor, email: string): Promise<UserRow | undefined> {
  return db.selectFrom('users').selectAll().where((eb) => eb(eb.fn('lower', ['email']), '=', email.toLowerCase())).executeTakeFirst();
}

export async function findUserBySubject(db: Executor, subject: string): Promise<UserRow | undefined> {
  return db.selectFrom('users').selectAll().where('authSubject', '=', subject).executeTakeFirst();
}

export async function insertUser(db: Executor, values: NewUser): Promise<UserRow> {
  return db.insertInto('users').values(values).returningAll().executeTakeFirstOrThrow();
}

/** Links a JWT subject to an existing user that has none yet. */
export async function linkSubject(db: Executor, userId: string, subject: string): Promise<UserRow | undefined> {
  return db
    .updateTable('users')
    .set({ authSubject: subject })
    .where('id', '=', userId)
    .where('authSubject', 'is', null)
    .returningAll()
    .executeTakeFirst();
}

/** The user with this email, created if there is none (CLI: `org create --owner-email`). */
export async function findOrCreateUserByEmail(db: Executor, email: string, name?: string): Promise<UserRow> {
  const existing = await findUserByEmail(db, email);
  if (existing) return existing;
  return insertUser(db, { email, name: name ?? email.split('@')[0] ?? email });
}
