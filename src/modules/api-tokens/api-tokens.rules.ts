import type { ModuleAuthorization } from '../../authz/authorization-map.js';
import { ForbiddenError, NotFoundError, UnauthenticatedError } from '../../errors.js';
import { feature, memberPerson, unscopedMember } from '../../authz/guards.js';
import { fieldName, guard } from '../../authz/guard.js';
import { reaches } from '../../authz/permission-set.js';
import { parseUuid } from '../../graphql/ids.js';

/**
 * A token is revoked by the user it belongs to, or, for a service account's token, by whoever
 * manages organization settings (SPEC §1 "revocable").
 */
const revokeToken = guard(
  'revokeApiToken',
  async (_parent, args, ctx, info) => {
    const principal = ctx.authz.principal;
    if (!principal) return new UnauthenticatedError();
    const id = parseUuid(args.id);
    const notFound = new NotFoundError('ApiToken', typeof args.id === 'string' ? args.id : '');
    const token = id ? await ctx.loaders.apiTokens.load(id) : null;
    if (token) await ctx.authz.ensure(token.organizationId);
    if (!token || !ctx.authz.grant(token.organizationId)) return notFound;
    if (token.userId !== null) return principal.kind === 'user' && principal.userId === token.userId ? true : notFound;
    if (ctx.authz.has(token.organizationId, 'organization_settings', 'MANAGE')) return true;
    return new ForbiddenError(`${fieldName(info)} of a service account's token needs organization_settings: MANAGE.`);
    // A user revokes its own tokens; a service account only with organization_settings: MANAGE.
  },
  reaches.memberPerson,
);

export const apiTokensAuthorization: ModuleAuthorization = {
  rules: {
    Organization: { viewerApiTokens: unscopedMember('parent.id') },
    ServiceAccount: { apiTokens: feature('organization_settings', 'MANAGE', 'parent.organizationId') },
    Mutation: {
      // A person creates tokens for themselves; the resolver checks organization_settings when
      // the token is for a service account. A service account never creates one for itself, so
      // it reaches this field only as an administrator of the organization.
      createApiToken: memberPerson('args.organizationId'),
      revokeApiToken: revokeToken,
    },
  },
  inherits: {
    ApiToken: {
      fields: ['id', 'name', 'prefix', 'createdAt', 'expiresAt', 'revokedAt', 'lastUsedAt', 'scope'],
      reason: 'token metadata (never the secret) of a token the parent field showed to its owner or admin',
    },
    CreatedApiToken: { fields: ['apiToken', 'secret'], reason: 'the result of createApiToken, returned once to its caller' },
    ApiTokenScope: { fields: '*', reason: 'the scope of a token its owner or admin may see', partOf: ['ApiToken'] },
  },
};
