import type { ColumnType, Selectable } from 'kysely';

export type NamespaceMode = 'AUTOMATIC' | 'MANUAL' | 'SHARED';

export interface OrganizationNamespacesTable {
  organizationId: number;
  namespace: string;
  mode: NamespaceMode;
  /** When the namespace and its registry secret were last found ready; null: provision again. */
  readyAt: Date | null;
  updatedAt: ColumnType<Date, Date | undefined, Date>;
}

export type OrganizationNamespaceRow = Selectable<OrganizationNamespacesTable>;
