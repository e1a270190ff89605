import type { IRule } from 'graphql-shield';
import type { ModuleAuthorization } from '../../authz/authorization-map.js';
import { guard } from '../../authz/guard.js';
import { NotFoundError, UnauthenticatedError } from '../../errors.js';
import { parseUuid } from '../../graphql/ids.js';
import { automationAction, automationDecision } from '../automations/automation.rule.js';
import { actionReach } from '../automations/automation-decision.js';

function organizationIdOf(parent: unknown): number | null {
  return typeof parent === 'object' && parent !== null && 'id' in parent && typeof parent.id === 'number' ? parent.id : null;
}

function automationIdOf(parent: unknown): string | null {
  return typeof parent === 'object' && parent !== null && 'automationId' in parent && typeof parent.automationId === 'string' ? parent.automationId : null;
}

/**
 * Organization.execution(id): SPEC §3 `traces` on the execution's automation. An execution of
 * another organization, or of an automation the caller may not view, is NOT_FOUND with the
 * message a random id gets; one it may view without traces is FORBIDDEN.
 */
const executionById: IRule = guard('execution:TRACES:args.id', async (parent, args, ctx, info) => {
  if (!ctx.authz.principal) return new UnauthenticatedError();
  const notFound = new NotFoundError('Execution', typeof args.id === 'string' ? args.id : '');
  const id = parseUuid(args.id);
  const execution = id ? await ctx.loaders.executions.load(id) : null;
  if (!execution || execution.organizationId !== organizationIdOf(parent)) return notFound;
  const automation = await ctx.loaders.automations.load(execution.automationId);
  return automation ? automationDecision(ctx, automation, 'TRACES', info, notFound) : notFound;
}, actionReach('TRACES'));

/**
 * Execution.spans: the trace needs `traces`, also where the execution came from runAutomation,
 * which needs only `run`. Through Automation.executions the automation is already decided, and
 * the decision is served from the request's loaders.
 */
const executionTraces: IRule = guard('execution:TRACES:parent', async (parent, _args, ctx, info) => {
  if (!ctx.authz.principal) return new UnauthenticatedError();
  const automationId = automationIdOf(parent);
  const automation = automationId ? await ctx.loaders.automations.load(automationId) : null;
  const notFound = new NotFoundError('Automation', automationId ?? '');
  return automation ? automationDecision(ctx, automation, 'TRACES', info, notFound) : notFound;
}, actionReach('TRACES'));

export const executionsAuthorization: ModuleAuthorization = {
  rules: {
    Organization: { execution: executionById },
    Automation: { executions: automationAction('TRACES', 'parent') },
    Mutation: { runAutomation: automationAction('RUN') },
    Execution: { spans: executionTraces },
  },
  inherits: {
    Execution: {
      fields: ['id', 'automation', 'status', 'error', 'inputs', 'deployment', 'startedBy', 'createdAt', 'finishedAt'],
      reason: 'a run of an automation the caller may view and run or read traces of: every field returning one checks that',
    },
    ExecutionConnection: { fields: '*', reason: 'page of Automation.executions, which needs traces on the automation' },
    ExecutionEdge: { fields: '*', reason: 'edge of an ExecutionConnection' },
    Span: { fields: '*', reason: 'a span of Execution.spans, which needs traces on the automation' },
    SpanEvent: { fields: '*', reason: 'an event of a span the caller may read' },
    SpanLink: { fields: '*', reason: 'a link of a span the caller may read' },
    TraceResource: { fields: '*', reason: 'the resource of a span the caller may read' },
    InstrumentationScope: { fields: '*', reason: 'the instrumentation scope of a span the caller may read' },
    SpanConnection: { fields: '*', reason: 'page of Execution.spans, which needs traces on the automation' },
    SpanEdge: { fields: '*', reason: 'edge of a SpanConnection' },
  },
};
