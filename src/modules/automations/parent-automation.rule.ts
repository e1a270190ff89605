import type { IRule } from 'graphql-shield';
import { guard } from '../../authz/guard.js';
import { reaches } from '../../authz/permission-set.js';
import { NotFoundError, UnauthenticatedError } from '../../errors.js';
import { automationDecision } from './automation.rule.js';
import type { AutomationAction } from '../../authz/entity-permissions.js';
import { actionReach } from './automation-decision.js';

function automationIdOf(parent: unknown): string | null {
  return typeof parent === 'object' && parent !== null && 'automationId' in parent && typeof parent.automationId === 'string' ? parent.automationId : null;
}

/**
 * A field of something an automation owns (an execution, a deployment, a human-in-the-loop
 * request, a usage row): SPEC §3's decision for `action` on the automation its `automationId`
 * names. Through a list the automation is already decided, and the decision is served from the
 * request's loaders.
 *
 * `memberReach`: for a parent that exists only where the decision holds (usage rows are summed
 * over the automations the caller may view, in SQL), the field stays in the schema of every member
 * that reaches the parent, so that one screen's query validates for every role (SPEC §6).
 */
export function parentAutomationAction(action: AutomationAction, options: { memberReach?: boolean } = {}): IRule {
  const name = `automation:${action}:parent.automationId${options.memberReach ? ':member-reach' : ''}`;
  return guard(
    name,
    async (parent, _args, ctx, info) => {
      if (!ctx.authz.principal) return new UnauthenticatedError();
      const automationId = automationIdOf(parent);
      const automation = automationId ? await ctx.loaders.automations.load(automationId) : null;
      const notFound = () => new NotFoundError('Automation', automationId ?? '');
      return automation ? automationDecision(ctx, automation, action, info, notFound) : notFound();
    },
    options.memberReach ? reaches.member : actionReach(action),
  );
}
