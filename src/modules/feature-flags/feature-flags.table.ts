import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';

export interface FeatureFlagsTable {
  name: string;
  enabledGlobally: Generated<boolean>;
  updatedAt: ColumnType<Date, never, Date>;
}

export interface FeatureFlagOrganizationsTable {
  name: string;
  organizationId: number;
}

export type FeatureFlagRow = Selectable<FeatureFlagsTable>;
export type NewFeatureFlag = Insertable<FeatureFlagsTable>;

/** A flag with both of its gates, as the repository reads it for the API and the CLI. */
export interface FeatureFlagState {
  name: string;
  enabledGlobally: boolean;
  organizationIds: number[];
}
