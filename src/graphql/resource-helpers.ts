import type DataLoader from 'dataloader';
import { NotFoundError } from '../errors.js';
import type { GraphQLContext } from './context.js';
import { parseUuid } from './ids.js';
import type { UserRow } from './models.js';
import { parsePage, toConnection, type Connection, type Page, type PageArgs } from './pagination.js';
import { optionalText } from './validate.js';

/**
 * Small pieces every organization-owned resource (agents, Studio projects, training runs, …)
 * needs, so that their resolvers only say what differs: the table, the fields and the limits.
 */

/** One page of an organization's list; the count runs only if the client asks for totalCount. */
export async function pageOf<T extends { createdAt: Date; id: string }>(
  args: PageArgs,
  ctx: GraphQLContext,
  list: (page: Page) => Promise<T[]>,
  count: () => Promise<number>,
): Promise<Connection<T>> {
  const page = parsePage(args, ctx.config.maxPageSize);
  return toConnection(await list(page), page, count);
}

/** `createdBy`: null when a service account created the row or the user has since been deleted. */
export function createdBy(row: { createdByUserId: string | null }, _args: unknown, ctx: GraphQLContext): Promise<UserRow | null> | null {
  return row.createdByUserId ? ctx.loaders.users.load(row.createdByUserId) : null;
}

/** A row that must exist, else NOT_FOUND with the id the caller sent (SPEC §1: one answer for all misses). */
export function found<T>(row: T | null | undefined, typeName: string, id: string): T {
  if (row === null || row === undefined) throw new NotFoundError(typeName, id);
  return row;
}

/**
 * The row behind an id argument whose entity rule already passed. Loaded again through the same
 * request-cached loader (no extra query); still NOT_FOUND-checked because it may have been deleted
 * between the rule and the resolver.
 */
export async function loadFound<T>(loader: DataLoader<string, T | null>, rawId: string, typeName: string): Promise<T> {
  const id = parseUuid(rawId);
  return found(id ? await loader.load(id) : null, typeName, rawId);
}

/**
 * Optional free-text fields of an input, each checked against its length limit. A field that is
 * absent or null is left out, so updates leave it unchanged and inserts take the column default.
 */
export function textFields<K extends string>(input: NoInfer<{ [P in K]?: string | null }>, limits: Readonly<Record<K, number>>): Partial<Record<K, string>> {
  const out: Partial<Record<K, string>> = {};
  for (const field of Object.keys(limits) as K[]) {
    const value = optionalText(input[field], field, limits[field]);
    if (value !== undefined) out[field] = value;
  }
  return out;
}
