import { BadUserInputError, ForbiddenError, NotFoundError } from '../../errors.js';
import type { Resolvers } from '../../graphql/generated/resolvers-types.js';
import { parseUuid } from '../../graphql/ids.js';
import { requiredText } from '../../graphql/validate.js';
import { listServiceAccountTokens, listUserTokens, revokeApiToken } from './api-tokens.repository.js';
import { issueApiToken, type TokenOwner } from './issue-token.js';
import { checkedScope, scopeOf } from './token-scope.js';
import { decideFor } from '../automations/automation-access.js';

export const apiTokensResolvers: Resolvers = {
  Organization: {
    viewerApiTokens: (org, _args, ctx) => {
      const userId = ctx.authz.userId;
      return userId ? listUserTokens(ctx.db, org.id, userId) : [];
    },
  },
  ServiceAccount: {
    apiTokens: (account, _args, ctx) => listServiceAccountTokens(ctx.db, account.id),
  },
  ApiToken: {
    prefix: (token) => `${token.tokenPrefix}…`,
    scope: (token) => scopeOf(token),
  },
  Mutation: {
    createApiToken: async (_root, { organizationId, input }, ctx) => {
      const orgId = Number(organizationId);
      const name = requiredText(input.name, 'name', 100);
      if (input.expiresAt && input.expiresAt.getTime() <= Date.now()) {
        throw new BadUserInputError('expiresAt must be in the future.', { field: 'expiresAt' });
      }
      let owner: TokenOwner;
      if (input.serviceAccountId != null) {
        const id = parseUuid(input.serviceAccountId);
        const account = id ? await ctx.loaders.serviceAccounts.load(id) : null;
        if (!account || account.organizationId !== orgId) throw new NotFoundError('ServiceAccount', input.serviceAccountId);
        await ctx.authz.ensure(orgId);
        if (!ctx.authz.has(orgId, 'organization_settings', 'MANAGE')) {
          throw new ForbiddenError('Mutation.createApiToken for a service account needs organization_settings: MANAGE.', {
            feature: 'organization_settings',
            requiredLevel: 'MANAGE',
          });
        }
        if (account.disabledAt) throw new BadUserInputError('This service account is disabled; tokens cannot be created for it.');
        owner = { serviceAccountId: account.id };
      } else {
        const userId = ctx.authz.userId;
        if (!userId) throw new ForbiddenError('A service account cannot create tokens for itself; an administrator creates them.');
        owner = { userId };
      }
      const scope = input.scope
        ? await checkedScope(input.scope, async (id) => {
            const automation = await ctx.loaders.automations.load(id);
            return (
              automation !== null && automation.organizationId === orgId && automation.deletedAt === null && (await decideFor(ctx, automation, 'VIEW')).allowed
            );
          })
        : null;
      return issueApiToken(ctx.db, orgId, owner, name, { expiresAt: input.expiresAt ?? null, createdByUserId: ctx.authz.userId, scope });
    },
    revokeApiToken: async (_root, { id }, ctx) => {
      const token = await ctx.loaders.apiTokens.load(id);
      if (!token) throw new NotFoundError('ApiToken', id);
      return (await revokeApiToken(ctx.db, token.organizationId, token.id)) ?? token;
    },
  },
};
