import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

export type AutomationVisibility = 'ORGANIZATION' | 'PRIVATE';
export type Plan = 'FREE' | 'TEAM' | 'ENTERPRISE';

export interface OrganizationsTable {
  id: Generated<number>;
  name: string;
  plan: ColumnType<Plan, Plan | undefined, Plan>;
  billingEmail: string | null;
  zipDeploymentsEnabled: Generated<boolean>;
  gitRepositoryRbac: Generated<boolean>;
  entityRbac: Generated<boolean>;
  defaultAutomationVisibility: ColumnType<AutomationVisibility, AutomationVisibility | undefined, AutomationVisibility>;
  defaultLlmConnectionId: string | null;
  defaultRunTimeoutSeconds: Generated<number>;
  createdAt: ColumnType<Date, never, never>;
  updatedAt: ColumnType<Date, never, Date>;
}

export type OrganizationRow = Selectable<OrganizationsTable>;
export type NewOrganization = Insertable<OrganizationsTable>;
export type OrganizationUpdate = Updateable<OrganizationsTable>;
