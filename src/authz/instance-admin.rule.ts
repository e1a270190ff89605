import type { IRule } from 'graphql-shield';
import { fieldName, guard } from './guard.js';
import { ForbiddenError, UnauthenticatedError } from '../errors.js';
import { reaches } from './permission-set.js';

/**
 * Fields for the operators of the whole instance (SPEC §5: instance feature flags, every
 * organization's namespace). Instance administration is global, not tied to an organization, so
 * the user's API token of any organization may use these fields as well as a JWT session; a
 * service account never may.
 */
export const instanceAdmin: IRule = guard(
  'instanceAdmin',
  (_parent, _args, ctx, info) => {
    const principal = ctx.authz.principal;
    if (!principal) return new UnauthenticatedError();
    const denied = new ForbiddenError(
      `${fieldName(info)} needs an instance administrator; an operator grants it with \`gatehouse admin grant --email <your email>\`.`,
    );
    // Read with the request's grants (src/http/gateway.ts), once per request.
    return principal.kind === 'user' && ctx.authz.instanceAdmin ? true : denied;
  },
  reaches.instanceAdmin,
);
