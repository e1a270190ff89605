import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';

export interface ServiceAccountsTable {
  id: Generated<string>;
  organizationId: number;
  name: string;
  description: Generated<string>;
  roleId: string;
  createdAt: ColumnType<Date, never, never>;
  disabledAt: ColumnType<Date | null, never, Date | null>;
}

export type ServiceAccountRow = Selectable<ServiceAccountsTable>;
export type NewServiceAccount = Insertable<ServiceAccountsTable>;
