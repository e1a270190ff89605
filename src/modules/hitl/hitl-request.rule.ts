import type { IRule } from 'graphql-shield';
import { guard } from '../../authz/guard.js';
import { NotFoundError, UnauthenticatedError } from '../../errors.js';
import { parseUuid } from '../../graphql/ids.js';
import { automationDecision } from '../automations/automation.rule.js';
import type { AutomationAction } from '../../authz/entity-permissions.js';
import { actionReach } from '../automations/automation-decision.js';

/**
 * An action on one human-in-the-loop request, decided on its automation (SPEC §3): a request of
 * an automation the caller may not view does not exist for it (NOT_FOUND, with the message a
 * random id gets); one it may view without the permission is FORBIDDEN.
 */
export function hitlRequestAction(action: AutomationAction): IRule {
  return guard(
    `hitl-request:${action}`,
    async (_parent, args, ctx, info) => {
      if (!ctx.authz.principal) return new UnauthenticatedError();
      const notFound = () => new NotFoundError('HitlRequest', typeof args.id === 'string' ? args.id : '');
      const id = parseUuid(args.id);
      const request = id ? await ctx.loaders.hitlRequests.load(id) : null;
      if (request) await ctx.authz.ensure(request.organizationId);
      // Membership first: another organization's request is not even looked up further.
      if (!request || !ctx.authz.grant(request.organizationId)) return notFound();
      const automation = await ctx.loaders.automations.load(request.automationId);
      return automation ? automationDecision(ctx, automation, action, info, notFound) : notFound();
    },
    actionReach(action),
  );
}
