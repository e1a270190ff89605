import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';
import type { AutomationVisibility } from '../organizations/organizations.table.js';

export interface AutomationsTable {
  id: Generated<string>;
  organizationId: number;
  name: string;
  description: Generated<string>;
  visibility: ColumnType<AutomationVisibility, AutomationVisibility | undefined, AutomationVisibility>;
  createdByUserId: string | null;
  createdAt: ColumnType<Date, never, never>;
  updatedAt: ColumnType<Date, never, Date>;
  /** Set by deleteAutomation: its Kubernetes objects are gone, its history stays. */
  deletedAt: ColumnType<Date | null, never, Date | null>;
}

export type AutomationRow = Selectable<AutomationsTable>;
export type NewAutomation = Insertable<AutomationsTable>;
