import { sql, type RawBuilder, type SqlBool } from 'kysely';
import { BadUserInputError } from '../errors.js';

/**
 * Relay-style forward pagination over `(created_at, id)`, the order every list uses: stable
 * under inserts, and served by the `(organization_id, created_at, id)` index of each table.
 * `created_at` is stored with millisecond precision so that a cursor (a JavaScript Date) names a
 * row exactly.
 */
export interface PageArgs {
  first?: number | null;
  after?: string | null;
}

export interface Page {
  limit: number;
  after: Cursor | null;
}

export interface Cursor {
  createdAt: Date;
  id: string;
}

export interface Edge<T> {
  cursor: string;
  node: T;
}

/**
 * Relay's PageInfo for forward pagination. `hasPreviousPage` is true when the page was asked for
 * `after` a cursor, i.e. it is not the first page (Relay lets a forward-only server answer this
 * without another query); `startCursor` and `endCursor` are the first and last edge's cursors.
 */
export interface PageInfo {
  hasNextPage: boolean;
  hasPreviousPage: boolean;
  startCursor: string | null;
  endCursor: string | null;
}

export interface Connection<T> {
  edges: Edge<T>[];
  pageInfo: PageInfo;
  /**
   * Run only when the client asks for it, with the list's own filter; a count already at hand is
   * returned as it is, so that its field completes without a promise (a page of cards has 20).
   */
  totalCount: () => number | Promise<number>;
}

export const DEFAULT_PAGE_SIZE = 20;

export function encodeCursor(row: { createdAt: Date; id: string }): string {
  return Buffer.from(`${row.createdAt.toISOString()}|${row.id}`, 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): Cursor {
  const invalid = new BadUserInputError('"after" is not a cursor from this list: pass a pageInfo.endCursor you received, or omit it.', { argument: 'after' });
  if (cursor.length > MAX_CURSOR_LENGTH) throw invalid;
  const [iso, id, extra] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  const createdAt = cursorInstant(iso);
  if (extra !== undefined || !id || !UUID.test(id) || !createdAt) throw invalid;
  return { createdAt, id };
}

const MAX_CURSOR_LENGTH = 200;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const CANONICAL_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/**
 * The instant of a cursor, exactly as `toISOString()` wrote it, or null. Rows are stamped by
 * now(), so a cursor's instant is from 1970 to 9999; anything else (a year like +300000, a
 * negative one) is not a cursor, and must not reach PostgreSQL, whose timestamptz range is
 * narrower than JavaScript's Date and would fail the query as an internal error.
 */
export function cursorInstant(iso: string | undefined): Date | null {
  if (iso === undefined || !CANONICAL_INSTANT.test(iso)) return null;
  const date = new Date(iso);
  return !Number.isNaN(date.getTime()) && date.getTime() >= 0 && date.toISOString() === iso ? date : null;
}

/**
 * Whether `cursor` has the shape of a cursor some list of the gateway writes: canonical base64url
 * of `|`-separated parts, each a one-letter kind, a UUID, an integer of at most 19 digits, or an
 * instant (cursorInstant). Checked for every `after`/`before` before anything executes
 * (src/graphql/storable-input.plugin.ts); each list's decoder then checks its own format.
 */
export function isWellFormedCursor(cursor: string): boolean {
  if (cursor.length === 0 || cursor.length > MAX_CURSOR_LENGTH || !/^[A-Za-z0-9_-]+$/.test(cursor)) return false;
  const bytes = Buffer.from(cursor, 'base64url');
  if (bytes.toString('base64url') !== cursor) return false;
  const parts = bytes.toString('utf8').split('|');
  return parts.length >= 2 && parts.every((part) => /^[a-z]$/.test(part) || UUID.test(part) || /^\d{1,19}$/.test(part) || cursorInstant(part) !== null);
}

export function parsePage(args: PageArgs, maxPageSize: number): Page {
  const limit = args.first ?? Math.min(DEFAULT_PAGE_SIZE, maxPageSize);
  if (!Number.isInteger(limit) || limit < 1 || limit > maxPageSize) {
    throw new BadUserInputError(`"first" must be from 1 to ${maxPageSize}; got ${String(args.first)}. Page through longer lists with "after".`, {
      limit: 'MAX_PAGE_SIZE',
      max: maxPageSize,
    });
  }
  return { limit, after: args.after ? decodeCursor(args.after) : null };
}

/** The keyset condition for rows after the cursor, for the table aliased or named `table`. */
export function afterCursor(table: string, after: Cursor | null): RawBuilder<SqlBool> {
  if (!after) return sql<SqlBool>`true`;
  return sql<SqlBool>`(${sql.ref(`${table}.createdAt`)}, ${sql.ref(`${table}.id`)}) > (${after.createdAt}, ${after.id})`;
}

/** The keyset condition for newest-first lists: rows before the cursor. */
export function beforeCursor(table: string, after: Cursor | null): RawBuilder<SqlBool> {
  if (!after) return sql<SqlBool>`true`;
  return sql<SqlBool>`(${sql.ref(`${table}.createdAt`)}, ${sql.ref(`${table}.id`)}) < (${after.createdAt}, ${after.id})`;
}

/**
 * Rows fetched with `limit + 1` become a connection; the extra row only says there is more.
 * `cursorOf` writes the list's own cursor for a row; `afterGiven` says the page was asked for
 * after a cursor.
 */
export function connectionOf<T>(rows: T[], limit: number, cursorOf: (row: T) => string, afterGiven: boolean, totalCount: () => Promise<number>): Connection<T> {
  const hasNextPage = rows.length > limit;
  const nodes = hasNextPage ? rows.slice(0, limit) : rows;
  const edges = nodes.map((node) => ({ cursor: cursorOf(node), node }));
  const pageInfo = { hasNextPage, hasPreviousPage: afterGiven, startCursor: edges[0]?.cursor ?? null, endCursor: edges.at(-1)?.cursor ?? null };
  return { edges, pageInfo, totalCount };
}

/** A page of a list in `(created_at, id)` order. */
export function toConnection<T extends { createdAt: Date; id: string }>(rows: T[], page: Page, totalCount: () => Promise<number>): Connection<T> {
  return connectionOf(rows, page.limit, encodeCursor, page.after !== null, totalCount);
}
