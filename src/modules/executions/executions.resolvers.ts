import { NotFoundError } from '../../errors.js';
import { mustLoad } from '../../graphql/by-id-loader.js';
import type { Resolvers } from '../../graphql/generated/resolvers-types.js';
import { parseUuid } from '../../graphql/ids.js';
import { parsePage } from '../../graphql/pagination.js';
import { createdBy, loadFound, pageOf } from '../../graphql/resource-helpers.js';
import { countExecutions, listExecutions } from './executions.repository.js';
import { runAutomation } from './run-automation.js';
import { decodeSpanCursor, spanConnection } from './span-cursor.js';
import { listSpans } from './spans.repository.js';
import type { JsonValue } from './spans.table.js';
import { INPUT_TOKENS, OUTPUT_TOKENS } from './span-attributes.js';

/** Milliseconds of a decimal nanosecond time, for the DateTime fields beside it. */
const dateOf = (unixNano: string) => new Date(Number(BigInt(unixNano) / 1_000_000n));

/** A token count attribute, as the ingest counted it: a whole number in the API's Int range. */
function tokenCount(value: JsonValue | undefined): number | null {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 2_147_483_647 ? value : null;
}

const SPAN_KINDS = ['UNSPECIFIED', 'INTERNAL', 'SERVER', 'CLIENT', 'PRODUCER', 'CONSUMER'] as const;
const STATUS_CODES = ['UNSET', 'OK', 'ERROR'] as const;

export const executionsResolvers: Resolvers = {
  Organization: {
    execution: async (org, args, ctx) => {
      const id = parseUuid(args.id);
      const execution = id ? await ctx.loaders.executions.load(id) : null;
      // The rule decided on this same row; a row of another organization never gets here.
      if (!execution || execution.organizationId !== org.id) throw new NotFoundError('Execution', args.id);
      return execution;
    },
  },
  Automation: {
    executions: (automation, args, ctx) => {
      const filter = { status: args.status, since: args.since, until: args.until };
      return pageOf(args, ctx, (page) => listExecutions(ctx.db, automation.id, filter, page), () => countExecutions(ctx.db, automation.id, filter));
    },
  },
  Execution: {
    automation: (execution, _args, ctx) => mustLoad(ctx.loaders.automations, execution.automationId, 'Automation'),
    deployment: (execution, _args, ctx) => (execution.deploymentId ? ctx.loaders.deployments.load(execution.deploymentId) : null),
    startedBy: (execution, args, ctx) => createdBy({ createdByUserId: execution.startedByUserId }, args, ctx),
    spans: async (execution, args, ctx) => {
      const order = args.order ?? 'START_TIME';
      const { limit } = parsePage({ first: args.first }, ctx.config.maxPageSize);
      const after = args.after ? decodeSpanCursor(order, args.after) : null;
      const rows = await listSpans(ctx.db, execution.id, order, after, limit);
      return spanConnection(rows, order, limit, async () => execution.spanCount);
    },
  },
  Span: {
    id: (span) => String(span.id),
    kind: (span) => SPAN_KINDS[span.kind] ?? 'UNSPECIFIED',
    statusCode: (span) => STATUS_CODES[span.statusCode] ?? 'UNSET',
    startTime: (span) => dateOf(span.startTimeUnixNano),
    endTime: (span) => dateOf(span.endTimeUnixNano),
    events: (span) => span.events ?? [],
    links: (span) => span.links ?? [],
    inputTokens: (span) => tokenCount(span.attributes[INPUT_TOKENS]),
    outputTokens: (span) => tokenCount(span.attributes[OUTPUT_TOKENS]),
    resource: async (span, _args, ctx) => (await mustLoad(ctx.loaders.spanSources, span.sourceId, 'Span source')).resource,
    scope: async (span, _args, ctx) => (await mustLoad(ctx.loaders.spanSources, span.sourceId, 'Span source')).scope,
  },
  SpanEvent: {
    time: (event) => dateOf(event.timeUnixNano),
  },
  Mutation: {
    runAutomation: async (_root, { id, inputs }, ctx) => runAutomation(ctx, await loadFound(ctx.loaders.automations, id, 'Automation'), inputs ?? {}),
  },
};
