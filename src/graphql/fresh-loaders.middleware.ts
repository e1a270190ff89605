import type { GraphQLResolveInfo } from 'graphql';
import type { IMiddlewareTypeMap } from 'graphql-middleware';
import type { GraphQLContext } from './context.js';
import { createLoaders } from './loaders.js';

type Resolve = (root: unknown, args: Record<string, unknown>, ctx: GraphQLContext, info: GraphQLResolveInfo) => unknown;

/**
 * Mutations answer what they stored (issue 11 §4): once a mutation field's resolver has returned,
 * its write committed and its deferred work done, the request gets new DataLoaders. The payload's
 * fields, resolved next, then read the stored state, never a row or an access list cached before
 * the write, by the mutation's own rule (which loads what it decides on), by an earlier mutation
 * of the same operation, or by the resolver itself.
 *
 * One place for every mutation, present and future, instead of each resolver clearing the keys
 * it knows it changed: a write touches rows through other modules (grants, memberships) whose
 * keys a resolver cannot be trusted to list. Mutation fields run one after another, each payload
 * completed before the next field starts (GraphQL spec, "Normal and Serial Execution"), so new
 * loaders never replace those of a field still resolving. Caches built on the request's loaders
 * (keyed by the loaders object, as env var visibility is) go with them.
 */
async function withFreshLoaders(
  resolve: Resolve,
  root: unknown,
  args: Record<string, unknown>,
  ctx: GraphQLContext,
  info: GraphQLResolveInfo,
): Promise<unknown> {
  try {
    return await resolve(root, args, ctx, info);
  } finally {
    // Also after a failure: a write that went through before the error must not be answered stale
    // by the operation's next mutation.
    ctx.loaders = createLoaders(ctx.db);
  }
}

/** Every field of Mutation, applied outside the audit transaction so that it runs after the commit. */
export function freshLoadersMiddleware(): IMiddlewareTypeMap {
  return { Mutation: withFreshLoaders };
}
