import type { IRule } from 'graphql-shield';
import type { ModuleAuthorization } from '../../authz/authorization-map.js';
import { guard } from '../../authz/guard.js';
import { feature, member } from '../../authz/guards.js';
import { NotFoundError, UnauthenticatedError } from '../../errors.js';
import { parseUuid } from '../../graphql/ids.js';
import { automationAction, automationDecision } from '../automations/automation.rule.js';
import { actionReach } from '../automations/automation-decision.js';
import { parentAutomationAction } from '../automations/parent-automation.rule.js';

function organizationIdOf(parent: unknown): number | null {
  return typeof parent === 'object' && parent !== null && 'id' in parent && typeof parent.id === 'number' ? parent.id : null;
}

/**
 * Organization.execution(id): SPEC §3 `traces` on the execution's automation. An execution of
 * another organization, or of an automation the caller may not view, is NOT_FOUND with the
 * message a random id gets; one it may view without traces is FORBIDDEN.
 */
const executionById: IRule = guard(
  'execution:TRACES:args.id',
  async (parent, args, ctx, info) => {
    if (!ctx.authz.principal) return new UnauthenticatedError();
    const notFound = () => new NotFoundError('Execution', typeof args.id === 'string' ? args.id : '');
    const id = parseUuid(args.id);
    const execution = id ? await ctx.loaders.executions.load(id) : null;
    if (!execution || execution.organizationId !== organizationIdOf(parent)) return notFound();
    const automation = await ctx.loaders.automations.load(execution.automationId);
    return automation ? automationDecision(ctx, automation, 'TRACES', info, notFound) : notFound();
  },
  actionReach('TRACES'),
);

export const executionsAuthorization: ModuleAuthorization = {
  rules: {
    // The list keeps, in SQL, to the automations whose traces the caller may read (mayActOn).
    Organization: { execution: executionById, executions: feature('crews_dashboards', 'READ', 'parent.id') },
    Automation: { executions: automationAction('TRACES', 'parent') },
    Mutation: { runAutomation: automationAction('RUN') },
    Execution: {
      // The trace needs `traces`, also where the execution came from runAutomation, which needs
      // only `run`.
      spans: parentAutomationAction('TRACES'),
      automation: parentAutomationAction('VIEW'),
      deployment: parentAutomationAction('VIEW'),
      startedBy: member('parent.organizationId'),
    },
  },
  inherits: {
    Execution: {
      fields: ['id', 'status', 'error', 'inputs', 'createdAt', 'finishedAt', 'updatedAt'],
      reason: 'a run of an automation the caller may view and run or read traces of: every field returning one checks that',
    },
    ExecutionConnection: { fields: '*', reason: 'page of Automation.executions, which needs traces on the automation' },
    ExecutionEdge: { fields: '*', reason: 'edge of an ExecutionConnection' },
    // Trace content is what a runtime chose to report: it may hold personal data of whoever the
    // automation worked for, so every field is classified by name.
    Span: {
      fields: [
        'id',
        'traceId',
        'spanId',
        'parentSpanId',
        'traceState',
        'flags',
        'name',
        'kind',
        'startTime',
        'endTime',
        'startTimeUnixNano',
        'endTimeUnixNano',
        'statusCode',
        'statusMessage',
        'attributes',
        'droppedAttributesCount',
        'events',
        'droppedEventsCount',
        'links',
        'droppedLinksCount',
        'resource',
        'scope',
        'inputTokens',
        'outputTokens',
      ],
      reason: 'a span of Execution.spans, which needs traces on the automation',
    },
    SpanEvent: {
      fields: ['name', 'time', 'timeUnixNano', 'attributes', 'droppedAttributesCount'],
      reason: 'an event of a span the caller may read',
      partOf: ['Span'],
    },
    SpanLink: {
      fields: ['traceId', 'spanId', 'traceState', 'flags', 'attributes', 'droppedAttributesCount'],
      reason: 'a link of a span the caller may read',
      partOf: ['Span'],
    },
    TraceResource: { fields: ['attributes', 'droppedAttributesCount', 'schemaUrl'], reason: 'the resource of a span the caller may read', partOf: ['Span'] },
    InstrumentationScope: {
      fields: ['name', 'version', 'attributes', 'droppedAttributesCount', 'schemaUrl'],
      reason: 'the instrumentation scope of a span the caller may read',
      partOf: ['Span'],
    },
    SpanConnection: { fields: '*', reason: 'page of Execution.spans, which needs traces on the automation' },
    SpanEdge: { fields: '*', reason: 'edge of a SpanConnection' },
  },
};
