import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';

export interface UsersTable {
  id: Generated<string>;
  email: string;
  name: string;
  authSubject: string | null;
  createdAt: ColumnType<Date, never, never>;
}

export type UserRow = Selectable<UsersTable>;
export type NewUser = Insertable<UsersTable>;
