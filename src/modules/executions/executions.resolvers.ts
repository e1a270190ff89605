import { NotFoundError } from '../../errors.js';
import { mustLoad } from '../../graphql/by-id-loader.js';
import type { Resolvers } from '../../graphql/generated/resolvers-types.js';
import { parseUuid } from '../../graphql/ids.js';
import { encodeCursor, parsePage, type Connection, type Page } from '../../graphql/pagination.js';
import { createdBy, loadFound, pageOf } from '../../graphql/resource-helpers.js';
import { countExecutions, listExecutions } from './executions.repository.js';
import type { SpanRow } from './executions.table.js';
import { runAutomation } from './run-automation.js';
import { countSpans, listSpans } from './spans.repository.js';

/** `toConnection` (src/graphql/pagination.ts) keyed by start time, the order of a trace. */
function spanConnection(rows: SpanRow[], page: Page, totalCount: () => Promise<number>): Connection<SpanRow> {
  const hasNextPage = rows.length > page.limit;
  const nodes = hasNextPage ? rows.slice(0, page.limit) : rows;
  const edges = nodes.map((node) => ({ cursor: encodeCursor({ createdAt: node.startTime, id: node.id }), node }));
  return { edges, pageInfo: { hasNextPage, endCursor: edges.at(-1)?.cursor ?? null }, totalCount };
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
      const page = parsePage(args, ctx.config.maxPageSize);
      return spanConnection(await listSpans(ctx.db, execution.id, page), page, () => countSpans(ctx.db, execution.id));
    },
  },
  SpanEvent: {
    time: (event) => new Date(event.time),
  },
  Mutation: {
    runAutomation: async (_root, { id, inputs }, ctx) => runAutomation(ctx, await loadFound(ctx.loaders.automations, id, 'Automation'), inputs ?? {}),
  },
};
