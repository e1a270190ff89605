import type { GraphQLResolveInfo } from 'graphql';
import type { IRule } from 'graphql-shield';
import { ForbiddenError, NotFoundError, UnauthenticatedError } from '../../errors.js';
import { fieldName, guard, type Decision } from '../../authz/guard.js';
import { scopedTokenRefusal } from '../../authz/guards.js';
import type { GraphQLContext } from '../../graphql/context.js';
import { parseUuid } from '../../graphql/ids.js';
import { deciderFor } from './automation-access.js';
import type { AutomationAction } from '../../authz/entity-permissions.js';
import { actionReach } from './automation-decision.js';
import type { AutomationRow } from './automations.table.js';

function isAutomationRow(value: unknown): value is AutomationRow {
  return typeof value === 'object' && value !== null && 'visibility' in value && 'organizationId' in value && 'id' in value;
}

/**
 * An action on one automation (SPEC §3): an automation the caller may not view does not exist for
 * it (NOT_FOUND); one it may view but not act on is FORBIDDEN with the decision's explanation.
 * `from: 'args.id'` for mutations, `'parent'` for fields of Automation.
 */
export function automationAction(action: AutomationAction, from: 'args.id' | 'parent' = 'args.id', options: { unscopedOnly?: boolean } = {}): IRule {
  const reach = actionReach(action);
  return guard(
    `automation:${action}:${from}${options.unscopedOnly ? ':unscoped' : ''}`,
    async (parent, args, ctx, info) => {
      if (!ctx.authz.principal) return new UnauthenticatedError();
      if (options.unscopedOnly && ctx.authz.tokenScope) return scopedTokenRefusal(fieldName(info));
      let automation: AutomationRow | null;
      if (from === 'parent') {
        automation = isAutomationRow(parent) ? parent : null;
      } else {
        const id = parseUuid(args.id);
        automation = id ? await ctx.loaders.automations.load(id) : null;
      }
      const notFound = () => new NotFoundError('Automation', typeof args.id === 'string' ? args.id : (automation?.id ?? ''));
      return automation ? automationDecision(ctx, automation, action, info, notFound) : notFound();
    },
    options.unscopedOnly ? (set) => set.tokenScope === null && reach(set) : reach,
  );
}

/**
 * The decision of `automationAction` once the automation is loaded, for guards that reach it
 * through something it owns (a human-in-the-loop request): `notFound` names what the caller asked
 * for, so that nothing says an automation exists behind it. A function: rules of list items run
 * once per item, and an error (a stack trace) made for every allowed item is most of their cost.
 */
export async function automationDecision(
  ctx: GraphQLContext,
  automation: AutomationRow,
  action: AutomationAction,
  info: GraphQLResolveInfo,
  notFound: () => NotFoundError,
): Promise<Decision> {
  const decideAction = await deciderFor(ctx, automation);
  // deciderFor awaited the organization's grant (Authz.ensure).
  if (!ctx.authz.grant(automation.organizationId)) return notFound();
  const view = decideAction('VIEW');
  if (!view.allowed)
    return view.reason === 'ROLE_LEVEL' ? new ForbiddenError(`${fieldName(info)}: ${view.explanation}`, { feature: 'crews_dashboards' }) : notFound();
  if (action === 'VIEW') return true;
  const decision = decideAction(action);
  return decision.allowed
    ? true
    : new ForbiddenError(`${fieldName(info)} needs the ${action.toLowerCase()} permission on this automation: ${decision.explanation}`, {
        permission: action.toLowerCase(),
        reason: decision.reason,
      });
}
