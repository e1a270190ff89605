import type { AutomationPermission } from '../graphql/generated/graphql-types.js';

/**
 * The entity permissions of SPEC §3, named once for every layer that speaks of them: the
 * decision procedure (src/modules/automations/automation-decision.ts), an API token's scope
 * (SPEC §6) and the `reason` label of the denial metric (src/observability/denial-reason.ts).
 */

/** What a caller may do with one automation: the SDL's AutomationPermission. */
export type AutomationAction = AutomationPermission;
export const AUTOMATION_ACTIONS: readonly AutomationAction[] = ['VIEW', 'RUN', 'TRACES', 'MANAGE_SETTINGS', 'HUMAN_IN_THE_LOOP'];

/** An API token's scope permissions are automation actions; any of them implies VIEW. */
export type TokenScopePermission = AutomationAction;

/** Grantable permissions as stored in entity_grants.permissions. */
export const GRANT_PERMISSIONS = ['run', 'traces', 'manage_settings', 'human_in_the_loop', 'full_access'] as const;
export type GrantPermission = (typeof GRANT_PERMISSIONS)[number];
