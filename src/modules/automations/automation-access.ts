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

/** The caller's decision on each action on one automation, all from one read of its grants. */
export type AutomationDecider = (action: AutomationAction) => AutomationDecisionModel;

const NOT_A_MEMBER: AutomationDecider = (action) => ({
  permission: action,
  allowed: false,
  reason: 'VISIBILITY',
  explanation: 'Not a member of this organization.',
});

/**
 * Reads what deciding on this automation needs (the caller's scope, the automation's grants through
 * a batched loader) once, and decides any number of actions from it synchronously: a card's rule
 * and its viewerPermissions decide several actions per automation of a page.
 */
export async function deciderFor(ctx: GraphQLContext, automation: AutomationRow): Promise<AutomationDecider> {
  const scope = await automationScope(ctx, automation.organizationId);
  if (!scope) return NOT_A_MEMBER;
  const grants = await ctx.loaders.accessLists.load({ resourceType: 'AUTOMATION', resourceId: automation.id });
  const input = {
    isOwner: scope.isOwner,
    crewsDashboards: scope.crewsDashboards,
    visibility: automation.visibility,
    grants: grants.filter((grant) => names(grant, scope)).map((grant) => grant.permissions),
    tokenScope: scope.tokenScope && { includes: scope.tokenScope.automationIds.includes(automation.id), permissions: scope.tokenScope.permissions },
  };
  return (action) => decide(action, input);
}

/** Decides `action` for the caller on one automation. */
export async function decideFor(ctx: GraphQLContext, automation: AutomationRow, action: AutomationAction): Promise<AutomationDecisionModel> {
  return (await deciderFor(ctx, automation))(action);
}
