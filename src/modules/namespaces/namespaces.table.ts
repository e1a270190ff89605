import type { ColumnType, Selectable } from 'kysely';

export type NamespaceMode = 'AUTOMATIC' | 'MANUAL' | 'SHARED';

export interface OrganizationNamespacesTable {
  organizationId: number;
  namespace: string;
  mode: NamespaceMode;
  /** When the namespace and its registry secret were last found ready; null: provision again. */
  readyAt: Date | null;
  /** A gateway is provisioning the namespace until then (a lease; null or past: nobody is). */
  provisioningUntil: ColumnType<Date | null, Date | null | undefined, Date | null>;
  updatedAt: ColumnType<Date, Date | undefined, Date>;
}

export type OrganizationNamespaceRow = Selectable<OrganizationNamespacesTable>;
