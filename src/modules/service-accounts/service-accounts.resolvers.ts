import { withUniqueName } from '../../db/unique-name.js';
import { BadUserInputError, NotFoundError, organizationLimitReached } from '../../errors.js';
import { mustLoad } from '../../graphql/by-id-loader.js';
import type { Resolvers } from '../../graphql/generated/resolvers-types.js';
import { parseUuid } from '../../graphql/ids.js';
import { found, loadFound, pageOf, textFields } from '../../graphql/resource-helpers.js';
import { requiredText } from '../../graphql/validate.js';
import { countServiceAccounts, disableServiceAccount, insertServiceAccount, listServiceAccounts } from './service-accounts.repository.js';

export const serviceAccountsResolvers: Resolvers = {
  Organization: {
    serviceAccounts: (org, args, ctx) =>
      pageOf(
        args,
        ctx,
        (page) => listServiceAccounts(ctx.db, org.id, page),
        () => countServiceAccounts(ctx.db, org.id),
      ),
  },
  Mutation: {
    createServiceAccount: async (_root, { organizationId, input }, ctx) => {
      const orgId = Number(organizationId);
      const name = requiredText(input.name, 'name', 100);
      const text = textFields(input, { description: 2000 });
      const roleId = parseUuid(input.roleId);
      const role = roleId ? await ctx.loaders.roles.load(roleId) : null;
      if (!role || role.organizationId !== orgId) throw new NotFoundError('Role', input.roleId);
      // An organization's Owners are people who answer for it (SPEC §2: the Owner role cannot be
      // restricted); a token-holding integration never gets that much.
      if (role.kind === 'OWNER') {
        throw new BadUserInputError('roleId: a service account cannot hold the Owner role; give it the Member role or a custom role.', {
          field: 'roleId',
        });
      }
      const max = ctx.config.limits.maxServiceAccountsPerOrganization;
      if ((await countServiceAccounts(ctx.db, orgId, { enabledOnly: true })) >= max) {
        throw organizationLimitReached(
          'enabled service accounts',
          'MAX_SERVICE_ACCOUNTS_PER_ORGANIZATION',
          max,
          'Disable one that is no longer used (disableServiceAccount), or ask the operator to raise the limit.',
        );
      }
      return withUniqueName(`A service account named "${name}" already exists in this organization; choose another name.`, () =>
        insertServiceAccount(ctx.db, { organizationId: orgId, name, ...text, roleId: role.id }),
      );
    },
    disableServiceAccount: async (_root, { id }, ctx) => {
      const account = await loadFound(ctx.loaders.serviceAccounts, id, 'ServiceAccount');
      return found(await disableServiceAccount(ctx.db, account.organizationId, account.id), 'ServiceAccount', id);
    },
  },
  ServiceAccount: {
    role: (account, _args, ctx) => mustLoad(ctx.loaders.roles, account.roleId, 'Role'),
  },
};
