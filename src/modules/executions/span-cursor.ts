import { BadUserInputError } from '../../errors.js';
import { connectionOf, type Connection } from '../../graphql/pagination.js';
import type { SpanCursor, SpanOrder } from './spans.repository.js';
import type { SpanRecord } from './spans.table.js';

/**
 * Cursors of Execution.spans. Each names its order, so that a cursor of one order passed with
 * the other is refused rather than silently skipping spans: `s|<startTimeUnixNano>|<id>` for
 * START_TIME, `r|<id>` for RECEIVED, base64url.
 */
const MAX_INT8 = 9_223_372_036_854_775_807n;
const MAX_ID = BigInt(Number.MAX_SAFE_INTEGER);

export function encodeSpanCursor(order: SpanOrder, span: SpanRecord): string {
  const text = order === 'RECEIVED' ? `r|${span.id}` : `s|${span.startTimeUnixNano}|${span.id}`;
  return Buffer.from(text, 'utf8').toString('base64url');
}

export function decodeSpanCursor(order: SpanOrder, cursor: string): SpanCursor {
  const invalid = new BadUserInputError(
    `"after" is not a cursor of Execution.spans in ${order} order: pass a pageInfo.endCursor received with the same "order", or omit it.`,
    { argument: 'after' },
  );
  if (cursor.length > 100) throw invalid;
  const parts = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  // Both parts are int8 in the database; a larger number would fail there, not here.
  const digits = (value: string | undefined, max: bigint) => value !== undefined && /^\d{1,19}$/.test(value) && BigInt(value) <= max;
  const [kind, first, second] = parts;
  if (order === 'RECEIVED' && kind === 'r' && parts.length === 2 && digits(first, MAX_ID)) return { order, id: Number(first) };
  if (order === 'START_TIME' && kind === 's' && parts.length === 3 && digits(first, MAX_INT8) && digits(second, MAX_ID)) {
    return { order, startTimeUnixNano: first ?? '0', id: Number(second) };
  }
  throw invalid;
}

/** The cursor that resumes after `span`. */
export function spanCursorAt(order: SpanOrder, span: SpanRecord): SpanCursor {
  return order === 'RECEIVED' ? { order, id: span.id } : { order, startTimeUnixNano: span.startTimeUnixNano, id: span.id };
}

/** Rows fetched with `limit + 1` as a connection in `order`. */
export function spanConnection(
  rows: SpanRecord[],
  order: SpanOrder,
  limit: number,
  afterGiven: boolean,
  totalCount: () => Promise<number>,
): Connection<SpanRecord> {
  return connectionOf(rows, limit, (row) => encodeSpanCursor(order, row), afterGiven, totalCount);
}
