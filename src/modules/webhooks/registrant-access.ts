import { listGrants } from '../../authz/entity-grants.repository.js';
import type { EntityGrantRow } from '../../authz/entity-grants.table.js';
import { preloadGrants } from '../../authz/permission-preload.js';
import type { OrganizationGrant, Principal } from '../../authz/principal.js';
import type { Executor } from '../../db/database.js';
import type { TokenScopePermission } from '../../authz/entity-permissions.js';
import type { AutomationAction } from '../../authz/entity-permissions.js';
import { decide } from '../automations/automation-decision.js';
import { findAutomationsByIds } from '../automations/automations.repository.js';
import type { WebhookEventType, WebhookRow } from './webhooks.table.js';

/**
 * A webhook fires only for what its registrant may see (SPEC §6), decided when the event is
 * written, with the registrant's standing at that moment:
 * - the registrant is still a member of the organization (a user), or an enabled service account;
 * - SPEC §3's decision procedure (`decide` in src/modules/automations) allows it one of the
 *   actions the event needs on the event's automation: `execution.finished` needs traces or run
 *   (what reads an execution), `hitl.requested` human_in_the_loop (what reads a question),
 *   `deployment.finished` view;
 * - registered with a scoped API token, the automation is in the token's scope and the scope
 *   includes that action (any scope permission implies VIEW).
 */
export const EVENT_NEEDS: Readonly<Record<WebhookEventType, readonly AutomationAction[]>> = {
  'execution.finished': ['TRACES', 'RUN'],
  'hitl.requested': ['HUMAN_IN_THE_LOOP'],
  'deployment.finished': ['VIEW'],
};

/** Whether a token scope's permissions include `action`; any of them implies VIEW. */
export function scopeCovers(permissions: readonly TokenScopePermission[], action: AutomationAction): boolean {
  return action === 'VIEW' ? permissions.length > 0 : permissions.includes(action);
}

/** The registrant as a principal of the organization, for the permission preload. */
function registrantOf(hook: WebhookRow): Principal | null {
  if (hook.registeredByUserId)
    return { kind: 'user', userId: hook.registeredByUserId, email: '', emailVerified: false, name: '', boundOrganizationId: hook.organizationId };
  if (hook.registeredByServiceAccountId) {
    return { kind: 'service_account', serviceAccountId: hook.registeredByServiceAccountId, organizationId: hook.organizationId, name: '', tokenId: '' };
  }
  return null;
}

function names(grant: EntityGrantRow, standing: OrganizationGrant, hook: WebhookRow): boolean {
  if (grant.roleId !== null) return grant.roleId === standing.roleId;
  if (grant.serviceAccountId !== null) return grant.serviceAccountId === hook.registeredByServiceAccountId;
  return grant.userId !== null && grant.userId === hook.registeredByUserId;
}

/**
 * Of `hooks` (one organization's endpoints subscribed to `type`), those whose registrant may see
 * this event of `automationId`. One query for the automation, one for its grants, and one
 * permission preload per distinct registrant.
 */
export async function hooksAllowed(db: Executor, hooks: readonly WebhookRow[], type: WebhookEventType, automationId: string): Promise<WebhookRow[]> {
  const [automation] = await findAutomationsByIds(db, [automationId]);
  if (!automation) return [];
  const grants = await listGrants(db, 'AUTOMATION', [automationId]);
  const standings = new Map<string, Promise<OrganizationGrant | undefined>>();
  const allowed: WebhookRow[] = [];
  for (const hook of hooks) {
    const principal = registrantOf(hook);
    if (!principal || hook.organizationId !== automation.organizationId) continue;
    const key = principal.kind === 'user' ? `u:${principal.userId}` : `s:${principal.serviceAccountId}`;
    let standing = standings.get(key);
    if (!standing) {
      standing = preloadGrants(db, principal).then((byOrganization) => byOrganization.get(hook.organizationId));
      standings.set(key, standing);
    }
    const grant = await standing;
    if (!grant) continue;
    const input = {
      isOwner: grant.isOwner,
      crewsDashboards: grant.levels.crews_dashboards,
      visibility: automation.visibility,
      grants: grants.filter((g) => names(g, grant, hook)).map((g) => g.permissions),
    };
    const scope = hook.scopeAutomationIds && hook.scopePermissions ? { automationIds: hook.scopeAutomationIds, permissions: hook.scopePermissions } : null;
    if (scope && !scope.automationIds.includes(automationId)) continue;
    const may = EVENT_NEEDS[type].some((action) => (!scope || scopeCovers(scope.permissions, action)) && decide(action, input).allowed);
    if (may) allowed.push(hook);
  }
  return allowed;
}
