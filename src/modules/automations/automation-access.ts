import type { EntityGrantRow } from '../../authz/entity-grants.table.js';
import type { GraphQLContext } from '../../graphql/context.js';
import type { AutomationAction } from '../../authz/entity-permissions.js';
import { decide } from './automation-decision.js';
import type { AutomationScope } from './automations.repository.js';
import type { AutomationRow } from './automations.table.js';
import type { AutomationDecisionModel } from '../../graphql/models.js';

/** The caller's scope in an organization with its crews_dashboards level; undefined for non-members. */
export async function automationScope(ctx: GraphQLContext, organizationId: number): Promise<AutomationScope | undefined> {
  await ctx.authz.ensure(organizationId);
  const scope = ctx.authz.scope(organizationId);
  if (!scope) return undefined;
  return { ...scope, crewsDashboards: ctx.authz.level(organizationId, 'crews_dashboards') };
}

function names(grant: EntityGrantRow, scope: AutomationScope): boolean {
  if (grant.roleId !== null) return grant.roleId === scope.roleId;
  if (grant.serviceAccountId !== null) return grant.serviceAccountId === scope.serviceAccountId;
  return grant.userId !== null && grant.userId === scope.userId;
}

/** Decides `action` for the caller on one automation; grants come through a batched loader. */
export async function decideFor(ctx: GraphQLContext, automation: AutomationRow, action: AutomationAction): Promise<AutomationDecisionModel> {
  const scope = await automationScope(ctx, automation.organizationId);
  if (!scope) return { permission: action, allowed: false, reason: 'VISIBILITY', explanation: 'Not a member of this organization.' };
  const grants = await ctx.loaders.accessLists.load({ resourceType: 'AUTOMATION', resourceId: automation.id });
  return decide(action, {
    isOwner: scope.isOwner,
    crewsDashboards: scope.crewsDashboards,
    visibility: automation.visibility,
    grants: grants.filter((grant) => names(grant, scope)).map((grant) => grant.permissions),
    tokenScope: scope.tokenScope && { includes: scope.tokenScope.automationIds.includes(automation.id), permissions: scope.tokenScope.permissions },
  });
}
