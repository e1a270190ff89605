import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';

export interface UsersTable {
  id: Generated<string>;
  email: string;
  name: string;
  authSubject: string | null;
  /**
   * The address is proven: an identity provider asserted it (email_verified) for this user's
   * subject, or an operator named it. Only proven addresses are unique, found by email, invited
   * and linked (migrations/2026_12_11_100000_email_verified.ts).
   */
  emailVerified: ColumnType<boolean, boolean | undefined, boolean>;
  createdAt: ColumnType<Date, never, never>;
}

export type UserRow = Selectable<UsersTable>;
export type NewUser = Insertable<UsersTable>;
