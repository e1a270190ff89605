import type { ColumnType } from 'kysely';
import type { Level } from './features.js';

type Kept<T> = ColumnType<T, never, never>;

/**
 * What the permission set needs of a user over all its organizations, kept by triggers on
 * memberships, roles and automation grants in the transaction that changes them
 * (migrations/2026_12_15_100000_grant_summaries.ts): read by the request's statement
 * (src/authz/authorize-request.ts) instead of every organization's grant. Never written by the code.
 */
export interface GrantSummariesTable {
  userId: Kept<string>;
  memberships: Kept<number>;
  /** Comma-separated, in order. */
  organizationIds: Kept<string>;
  owner: Kept<boolean>;
  usageDashboards: Kept<Level>;
  crewsDashboards: Kept<Level>;
  invitations: Kept<Level>;
  trainingUi: Kept<Level>;
  tools: Kept<Level>;
  agents: Kept<Level>;
  environmentVariables: Kept<Level>;
  llmConnections: Kept<Level>;
  defaultSettings: Kept<Level>;
  organizationSettings: Kept<Level>;
  studioProjects: Kept<Level>;
  /** A grant on some automation with manage_settings, where automations are reachable (SPEC §3 rule 2). */
  automationManageGrant: Kept<boolean>;
}
