import type { ColumnType, Generated, Insertable, JSONColumnType, Selectable } from 'kysely';
import type { StudioDefinition } from './studio-definition.js';

export interface StudioProjectsTable {
  id: Generated<string>;
  organizationId: number;
  name: string;
  description: Generated<string>;
  /** The crew, checked whole before it is stored (studio-definition.ts); null until one is saved. */
  definition: JSONColumnType<StudioDefinition | null, string | null | undefined, string | null>;
  createdByUserId: string | null;
  createdAt: ColumnType<Date, never, never>;
  updatedAt: ColumnType<Date, never, Date>;
}

export type StudioProjectRow = Selectable<StudioProjectsTable>;
export type NewStudioProject = Insertable<StudioProjectsTable>;
