import type { GraphQLResolveInfo } from 'graphql';
import { rule } from 'graphql-shield';
import type { IRule } from 'graphql-shield';
import { ForbiddenError, type GatehouseError } from '../errors.js';
import type { GraphQLContext } from '../graphql/context.js';

export type Decision = true | GatehouseError;
export type Check = (
  parent: unknown,
  args: Record<string, unknown>,
  ctx: GraphQLContext,
  info: GraphQLResolveInfo,
) => Decision | Promise<Decision>;

export function fieldName(info: GraphQLResolveInfo): string {
  return `${info.parentType.name}.${info.fieldName}`;
}

const guards = new Map<string, IRule>();

/**
 * A graphql-shield rule that fails closed: graphql-shield swallows a rule's exception as a bare
 * `false`; here it is logged with the request id and answered with a FORBIDDEN that says so.
 * Rules are cached by name because shield requires one function per rule name.
 */
export function guard(name: string, check: Check): IRule {
  const existing = guards.get(name);
  if (existing) return existing;
  const created = rule(name, { cache: 'no_cache' })(async (parent: unknown, args: Record<string, unknown>, ctx: GraphQLContext, info: GraphQLResolveInfo) => {
    try {
      return await check(parent, args, ctx, info);
    } catch (error) {
      ctx.logger.error({ err: error, rule: name, field: fieldName(info), requestId: ctx.requestId }, 'authorization rule threw; denied');
      return new ForbiddenError(
        `${fieldName(info)} could not be authorized: the permission check failed (request ${ctx.requestId}). Nothing was returned or changed.`,
      );
    }
  });
  guards.set(name, created);
  return created;
}
