import type { GraphQLResolveInfo } from 'graphql';
import { NotFoundError } from '../../errors.js';
import { mustLoad } from '../../graphql/by-id-loader.js';
import type { Resolvers } from '../../graphql/generated/resolvers-types.js';
import { parseUuid } from '../../graphql/ids.js';
import { jsonBytes, largeRows } from '../../graphql/limits/index.js';
import { parsePage } from '../../graphql/pagination.js';
import { selectedAt, selectsOnly } from '../../graphql/selection.js';
import { actorDisplayName, actorOf } from '../../graphql/actor.js';
import { loadFound } from '../../graphql/resource-helpers.js';
import type { GraphQLContext } from '../../graphql/context.js';
import type { Connection } from '../../graphql/pagination.js';
import { automationScope } from '../automations/automation-access.js';
import { actionableAutomationIds } from '../automations/automations.repository.js';
import { countExecutions, listExecutions, type ExecutionOrder, type ExecutionSource } from './executions.repository.js';
import type { ExecutionRow } from './executions.table.js';
import { executionConnection, executionCursorOf, executionFilterOf, spanFilterOf, type ExecutionListArgs } from './list-arguments.js';
import { cardRunCount } from './card-run-counts.js';
import { runAutomation } from './run-automation.js';
import { decodeSpanCursor, spanConnection, spanCursorAt } from './span-cursor.js';
import { ALL_SPAN_COLUMNS, countSpans, listSpans, type SpanColumns } from './spans.repository.js';
import type { JsonValue, SpanRecord } from './spans.table.js';
import { INPUT_TOKENS, OUTPUT_TOKENS } from './span-attributes.js';

/** Milliseconds of a decimal nanosecond time, for the DateTime fields beside it. */
const dateOf = (unixNano: string) => new Date(Number(BigInt(unixNano) / 1_000_000n));

/** A token count attribute, as the ingest counted it: a whole number in the API's Int range. */
function tokenCount(value: JsonValue | undefined): number | null {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 2_147_483_647 ? value : null;
}

const SPAN_KINDS = ['UNSPECIFIED', 'INTERNAL', 'SERVER', 'CLIENT', 'PRODUCER', 'CONSUMER'] as const;
const STATUS_CODES = ['UNSET', 'OK', 'ERROR'] as const;

/** The large values of a span that Execution.spans is asked for, under edges { node }. */
function spanColumnsSelected(info: GraphQLResolveInfo): SpanColumns {
  const node = selectedAt(info, ['edges', 'node']);
  if (node === 'all') return ALL_SPAN_COLUMNS;
  return {
    attributes: node.has('attributes'),
    events: node.has('events'),
    links: node.has('links'),
    tokens: node.has('inputTokens') || node.has('outputTokens'),
  };
}

/** A span's large value that its page did not read: spanColumnsSelected missed a selection. */
function unread(field: string): never {
  throw new Error(`Span.${field} was selected but not read: spanColumnsSelected did not see it`);
}

const TOTAL_COUNT_ONLY: ReadonlySet<string> = new Set(['totalCount']);

/** A connection whose edges and pageInfo nobody selected. */
function countOnly(totalCount: () => number | Promise<number>): Connection<ExecutionRow> {
  return { edges: [], pageInfo: { hasNextPage: false, hasPreviousPage: false, startCursor: null, endCursor: null }, totalCount };
}

/** One page of an execution list, in its order, with a totalCount of the same filter. */
async function executionPage(
  ctx: GraphQLContext,
  source: ExecutionSource,
  args: ExecutionListArgs & { first?: number | null; after?: string | null; orderBy?: ExecutionOrder | null },
): Promise<Connection<ExecutionRow>> {
  const order = args.orderBy ?? 'CREATED_AT';
  const { limit } = parsePage({ first: args.first }, ctx.config.maxPageSize);
  const filter = executionFilterOf(args);
  const page = await listExecutions(ctx.db, source, filter, order, executionCursorOf(order, args.after), limit);
  return executionConnection(page.rows, order, limit, Boolean(args.after), async () => page.totalCount ?? countExecutions(ctx.db, source, filter));
}

export const executionsResolvers: Resolvers = {
  Organization: {
    execution: async (org, args, ctx) => {
      const id = parseUuid(args.id);
      const execution = id ? await ctx.loaders.executions.load(id) : null;
      // The rule decided on this same row; a row of another organization never gets here.
      if (!execution || execution.organizationId !== org.id) throw new NotFoundError('Execution', args.id);
      return execution;
    },
    executions: async (org, args, ctx) => {
      const scope = await automationScope(ctx, org.id);
      // The rule let a member through; one without a scope here has none to list.
      if (!scope) throw new NotFoundError('Organization', String(org.id));
      return executionPage(ctx, { organizationId: org.id, automationIds: actionableAutomationIds(ctx.db, scope, 'traces') }, args);
    },
  },
  Automation: {
    executions: (automation, args, ctx, info) => {
      const source = { organizationId: automation.organizationId, automationId: automation.id };
      if (!selectsOnly(info, TOTAL_COUNT_ONLY)) return executionPage(ctx, source, args);
      // A card asks only how many runs there are: no page to read. The page of cards read the count
      // with the automations (card-run-counts.ts); an automation loaded otherwise, with one query
      // for all of them.
      const filter = executionFilterOf(args);
      const unfiltered = Object.values(filter).every((value) => value === null);
      const read = unfiltered ? cardRunCount(automation) : undefined;
      if (read !== undefined) return countOnly(() => read);
      return countOnly(() => (unfiltered ? ctx.loaders.executionTotals.load(source) : countExecutions(ctx.db, source, filter)));
    },
  },
  Execution: {
    automation: (execution, _args, ctx) => mustLoad(ctx.loaders.automations, execution.automationId, 'Automation'),
    deployment: (execution, _args, ctx) => (execution.deploymentId ? ctx.loaders.deployments.load(execution.deploymentId) : null),
    startedBy: async (execution, _args, ctx) => {
      const actor = actorOf(execution.startedByUserId, execution.startedByServiceAccountId);
      // A principal since deleted leaves no one to name.
      return actor && (await actorDisplayName(actor, ctx)) !== '' ? actor : null;
    },
    spans: async (execution, args, ctx, info) => {
      const order = args.order ?? 'START_TIME';
      const { limit } = parsePage({ first: args.first }, ctx.config.maxPageSize);
      const after = args.after ? decodeSpanCursor(order, args.after) : null;
      const filter = spanFilterOf(args.filter);
      const columns = spanColumnsSelected(info);
      // limit + 1: the row past the page tells whether there is a next one.
      const rows = await largeRows<SpanRecord>(
        ctx,
        limit + 1,
        (last, n) => listSpans(ctx.db, execution, order, last ? spanCursorAt(order, last) : after, n - 1, filter, columns),
        (page) => page.reduce((bytes, span) => bytes + jsonBytes(span.attributes) + jsonBytes(span.events) + jsonBytes(span.links), 0),
      );
      // A first page with no next one is every span the filter matches: nothing to count.
      const whole = after === null && rows.length <= limit;
      return spanConnection(rows, order, limit, after !== null, async () => (whole ? rows.length : countSpans(ctx.db, execution, filter)));
    },
  },
  Span: {
    id: (span) => String(span.id),
    kind: (span) => SPAN_KINDS[span.kind] ?? 'UNSPECIFIED',
    statusCode: (span) => STATUS_CODES[span.statusCode] ?? 'UNSET',
    startTime: (span) => dateOf(span.startTimeUnixNano),
    endTime: (span) => dateOf(span.endTimeUnixNano),
    attributes: (span) => span.attributes ?? unread('attributes'),
    events: (span) => (span.events === undefined ? unread('events') : (span.events ?? [])),
    links: (span) => (span.links === undefined ? unread('links') : (span.links ?? [])),
    inputTokens: (span) => tokenCount(span.inputTokens ?? span.attributes?.[INPUT_TOKENS]),
    outputTokens: (span) => tokenCount(span.outputTokens ?? span.attributes?.[OUTPUT_TOKENS]),
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
