import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';

export interface StudioProjectsTable {
  id: Generated<string>;
  organizationId: number;
  name: string;
  description: Generated<string>;
  createdByUserId: string | null;
  createdAt: ColumnType<Date, never, never>;
  updatedAt: ColumnType<Date, never, Date>;
}

export type StudioProjectRow = Selectable<StudioProjectsTable>;
export type NewStudioProject = Insertable<StudioProjectsTable>;
