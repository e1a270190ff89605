import type { ColumnType, Insertable, Selectable } from 'kysely';

export interface MembershipsTable {
  organizationId: number;
  userId: string;
  roleId: string;
  createdAt: ColumnType<Date, never, never>;
}

export type MembershipRow = Selectable<MembershipsTable>;
export type NewMembership = Insertable<MembershipsTable>;
