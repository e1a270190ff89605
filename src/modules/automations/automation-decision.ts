import type { AutomationAction, GrantPermission, TokenScopePermission } from '../../authz/entity-permissions.js';
import type { Level } from '../../authz/features.js';
import type { Reach } from '../../authz/permission-set.js';
import type { AutomationDecisionModel } from '../../graphql/models.js';
import type { AutomationVisibility } from '../organizations/organizations.table.js';

/**
 * Implements the decision procedure of SPEC §3 for principal P, automation A and action X:
 * 1. Owner: allow. 2. crews_dashboards NO_ACCESS: deny. 3. PRIVATE: only the whitelist (directly
 * or through the role) may view, and may do what its grant says (no explicit permissions:
 * full_access); everyone else: not found. 4. ORGANIZATION: view, run, traces and
 * human_in_the_loop need crews_dashboards >= READ; manage_settings needs MANAGE or a grant.
 */
export interface DecisionInput {
  isOwner: boolean;
  crewsDashboards: Level;
  visibility: AutomationVisibility;
  /** Permissions of every grant on A that names P, P's role or P's service account. */
  grants: ReadonlyArray<readonly string[]>;
  /** P's API token scope (SPEC §6), when it has one: whether A is in it, and what it permits. */
  tokenScope?: { includes: boolean; permissions: readonly TokenScopePermission[] } | null;
}

const ACTION_GRANT: Record<Exclude<AutomationAction, 'VIEW'>, GrantPermission> = {
  RUN: 'run',
  TRACES: 'traces',
  MANAGE_SETTINGS: 'manage_settings',
  HUMAN_IN_THE_LOOP: 'human_in_the_loop',
};

function granted(grants: DecisionInput['grants'], action: Exclude<AutomationAction, 'VIEW'>): boolean {
  // A whitelist entry without explicit permissions is full_access.
  return grants.some((p) => p.length === 0 || p.includes('full_access') || p.includes(ACTION_GRANT[action]));
}

/**
 * SPEC §6: a scoped token's rights are the intersection of its principal's and its scope's. An
 * automation outside the scope does not exist for it; inside, only the listed permissions apply
 * (any of them implies VIEW).
 */
export function decide(action: AutomationAction, input: DecisionInput): AutomationDecisionModel {
  const byRole = decideByRole(action, input);
  const scope = input.tokenScope;
  if (!scope) return byRole;
  if (!scope.includes) return { permission: action, allowed: false, reason: 'VISIBILITY', explanation: "This automation is outside the API token's scope." };
  if (!byRole.allowed || action === 'VIEW' || scope.permissions.includes(action)) return byRole;
  return {
    permission: action,
    allowed: false,
    reason: 'TOKEN_SCOPE',
    explanation: `The API token's scope does not include ${action.toLowerCase()}; create a token whose scope does (createApiToken with scope.permissions).`,
  };
}

function decideByRole(action: AutomationAction, input: DecisionInput): AutomationDecisionModel {
  const verdict = (allowed: boolean, reason: AutomationDecisionModel['reason'], explanation: string) => ({ permission: action, allowed, reason, explanation });
  const name = action.toLowerCase();
  if (input.isOwner) return verdict(true, 'OWNER', 'Owners may do everything on every automation of their organization.');
  if (input.crewsDashboards === 'NO_ACCESS') {
    return verdict(false, 'ROLE_LEVEL', 'Your role has crews_dashboards: NO_ACCESS; automations need at least READ.');
  }
  const whitelisted = input.grants.length > 0;
  if (input.visibility === 'PRIVATE') {
    if (!whitelisted) return verdict(false, 'VISIBILITY', 'This automation is private and you are not on its whitelist, directly or through your role.');
    if (action === 'VIEW') return verdict(true, 'GRANT', 'You are on the whitelist of this private automation.');
    return granted(input.grants, action)
      ? verdict(true, 'GRANT', `Your grant on this private automation includes ${name}.`)
      : verdict(false, 'MISSING_GRANT', `Your grant on this private automation does not include ${name}; someone with manage_settings can add it.`);
  }
  if (action !== 'MANAGE_SETTINGS')
    return verdict(true, 'ROLE_LEVEL', `Your role has crews_dashboards: ${input.crewsDashboards}, enough to ${name === 'view' ? 'view' : `use ${name}`}.`);
  if (input.crewsDashboards === 'MANAGE') return verdict(true, 'ROLE_LEVEL', 'Your role has crews_dashboards: MANAGE.');
  return granted(input.grants, action)
    ? verdict(true, 'GRANT', 'An explicit grant gives you manage_settings on this automation.')
    : verdict(false, 'MISSING_GRANT', 'manage_settings needs crews_dashboards: MANAGE or an explicit manage_settings grant on this automation.');
}

/**
 * The static side of `decide`, for the role-filtered schema: whether some automation could exist
 * on which the permission set may take `action` (an ORGANIZATION automation for crews_dashboards
 * READ; a grant for manage_settings below MANAGE).
 */
export function actionReach(action: AutomationAction): Reach {
  return (set) => {
    if (!set.member) return false;
    if (set.tokenScope && action !== 'VIEW' && !set.tokenScope.includes(action)) return false;
    if (set.owner) return true;
    if (set.levels.crews_dashboards === 'NO_ACCESS') return false;
    if (action !== 'MANAGE_SETTINGS') return true;
    return set.levels.crews_dashboards === 'MANAGE' || set.automationManageGrant;
  };
}
