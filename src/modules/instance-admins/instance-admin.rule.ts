import type { IRule } from 'graphql-shield';
import { fieldName, guard } from '../../authz/guard.js';
import { ForbiddenError, UnauthenticatedError } from '../../errors.js';
import type { GraphQLContext } from '../../graphql/context.js';
import { isInstanceAdmin } from './instance-admins.repository.js';

// One lookup per request however many admin fields it selects (STYLE "Decide once per request").
// Keyed by the context object, so the entry goes away with the request.
const lookups = new WeakMap<GraphQLContext, Promise<boolean>>();

function instanceAdminOf(ctx: GraphQLContext, userId: string): Promise<boolean> {
  let lookup = lookups.get(ctx);
  if (!lookup) {
    lookup = isInstanceAdmin(ctx.db, userId);
    lookups.set(ctx, lookup);
  }
  return lookup;
}

/**
 * Fields for the operators of the whole instance (SPEC §5: instance feature flags, every
 * organization's namespace). Instance administration is global, not tied to an organization, so
 * the user's API token of any organization may use these fields as well as a JWT session; a
 * service account never may.
 */
export const instanceAdmin: IRule = guard('instanceAdmin', async (_parent, _args, ctx, info) => {
  const principal = ctx.authz.principal;
  if (!principal) return new UnauthenticatedError();
  const denied = new ForbiddenError(
    `${fieldName(info)} needs an instance administrator; an operator grants it with \`gatehouse admin grant --email <your email>\`.`,
  );
  if (principal.kind !== 'user') return denied;
  return (await instanceAdminOf(ctx, principal.userId)) ? true : denied;
});
