import { BadUserInputError } from '../../errors.js';
import type { ExecutionFilter as ExecutionFilterInput, SpanFilter as SpanFilterInput } from '../../graphql/generated/resolvers-types.js';
import { parseUuid } from '../../graphql/ids.js';
import { connectionOf, cursorInstant, decodeCursor, encodeCursor, type Connection } from '../../graphql/pagination.js';
import type { ExecutionCursor, ExecutionFilter, ExecutionOrder } from './executions.repository.js';
import type { ExecutionRow, ExecutionStatus } from './executions.table.js';
import type { SpanFilter } from './spans.repository.js';

/**
 * The arguments of the trace API's lists (Organization.executions, Automation.executions,
 * Execution.spans) as the repositories take them; whatever is wrong is BAD_USER_INPUT naming the
 * argument.
 */
const MAX_AUTOMATIONS = 100;

export interface ExecutionListArgs {
  status?: ExecutionStatus | null;
  since?: Date | null;
  until?: Date | null;
  filter?: ExecutionFilterInput | null;
}

/** `status`, `since` and `until` (Automation.executions' first filters) and `filter`, all of which must hold. */
export function executionFilterOf(args: ExecutionListArgs): ExecutionFilter {
  const filter = args.filter ?? {};
  const automationIds = filter.automationIds?.map((raw, i) => {
    const id = parseUuid(raw);
    if (!id) throw new BadUserInputError(`filter.automationIds[${i}] is not an automation id.`, { field: `filter.automationIds[${i}]` });
    return id;
  });
  if (automationIds && automationIds.length > MAX_AUTOMATIONS) {
    throw new BadUserInputError(`filter.automationIds names ${automationIds.length} automations; at most ${MAX_AUTOMATIONS}.`, {
      field: 'filter.automationIds',
    });
  }
  const statuses = [...(filter.statuses ?? []), ...(args.status ? [args.status] : [])];
  const latest = (a: Date | null | undefined, b: Date | null | undefined) => (a && b ? (a > b ? a : b) : (a ?? b ?? null));
  const earliest = (a: Date | null | undefined, b: Date | null | undefined) => (a && b ? (a < b ? a : b) : (a ?? b ?? null));
  return {
    automationIds: automationIds ?? null,
    // `status` and `filter.statuses` both hold: a status outside the list matches nothing.
    statuses: filter.statuses && args.status ? statuses.filter((s) => s === args.status) : statuses.length > 0 ? statuses : null,
    startedAfter: latest(filter.startedAfter, args.since),
    startedBefore: earliest(filter.startedBefore, args.until),
    updatedSince: filter.updatedSince ?? null,
  };
}

/**
 * CREATED_AT cursors keep the shared format (src/graphql/pagination.ts), so saved ones go on
 * working; UPDATED_AT cursors say so (`u|`), and neither is taken for the other.
 */
export function executionCursorOf(order: ExecutionOrder, after: string | null | undefined): ExecutionCursor | null {
  if (!after) return null;
  if (order === 'CREATED_AT') {
    const cursor = decodeCursor(after);
    return { at: cursor.createdAt, id: cursor.id };
  }
  const text = after.length <= 200 ? Buffer.from(after, 'base64url').toString('utf8') : '';
  const [kind, iso, id, extra] = text.split('|');
  const at = cursorInstant(iso);
  if (kind !== 'u' || extra !== undefined || !id || !parseUuid(id) || !at) {
    throw new BadUserInputError(
      '"after" is not a cursor of this list in UPDATED_AT order: pass a pageInfo.endCursor received with the same orderBy, or omit it.',
      { argument: 'after' },
    );
  }
  return { at, id };
}

export function executionConnection(
  rows: ExecutionRow[],
  order: ExecutionOrder,
  limit: number,
  afterGiven: boolean,
  totalCount: () => Promise<number>,
): Connection<ExecutionRow> {
  const cursor = (row: ExecutionRow) =>
    order === 'CREATED_AT' ? encodeCursor(row) : Buffer.from(`u|${row.updatedAt.toISOString()}|${row.id}`, 'utf8').toString('base64url');
  return connectionOf(rows, limit, cursor, afterGiven, totalCount);
}

const MAX_NAME = 1000;
const unixNano = (date: Date) => (BigInt(date.getTime()) * 1_000_000n).toString();

export function spanFilterOf(filter: SpanFilterInput | null | undefined): SpanFilter {
  if (!filter) return {};
  if (filter.traceId != null && !/^[0-9a-fA-F]{32}$/.test(filter.traceId)) {
    throw new BadUserInputError('filter.traceId must be 32 hex characters.', { field: 'filter.traceId' });
  }
  if (filter.name != null && filter.name.length > MAX_NAME)
    throw new BadUserInputError(`filter.name is longer than ${MAX_NAME} characters.`, { field: 'filter.name' });
  return {
    name: filter.name ?? null,
    errorsOnly: filter.errorsOnly ?? null,
    traceId: filter.traceId?.toLowerCase() ?? null,
    startedAfterUnixNano: filter.startedAfter ? unixNano(filter.startedAfter) : null,
    startedBeforeUnixNano: filter.startedBefore ? unixNano(filter.startedBefore) : null,
  };
}
