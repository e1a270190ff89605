import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';

export type ResourceType = 'ENV_VAR' | 'LLM_CONNECTION' | 'GIT_REPO' | 'AUTOMATION';

/** An access-list entry: one principal (user, role or service account) on one resource. */
export interface EntityGrantsTable {
  id: Generated<string>;
  organizationId: number;
  resourceType: ResourceType;
  resourceId: string;
  userId: string | null;
  roleId: string | null;
  serviceAccountId: string | null;
  permissions: ColumnType<string[], string[] | undefined, string[]>;
  createdAt: ColumnType<Date, never, never>;
}

export type EntityGrantRow = Selectable<EntityGrantsTable>;
export type NewEntityGrant = Insertable<EntityGrantsTable>;
