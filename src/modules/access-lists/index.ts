import type { Resolvers } from '../../graphql/generated/resolvers-types.js';
import type { GatehouseModule } from '../module.js';

/** Display of access-list entries (SPEC §3), shared by env vars, LLM connections and Git repositories. */
const resolvers: Resolvers = {
  AccessEntry: {
    principalType: (grant) => (grant.userId ? 'USER' : grant.roleId ? 'ROLE' : 'SERVICE_ACCOUNT'),
    principalId: (grant) => grant.userId ?? grant.roleId ?? grant.serviceAccountId ?? '',
    displayName: async (grant, _args, ctx) => {
      if (grant.userId) return (await ctx.loaders.users.load(grant.userId))?.name ?? '';
      if (grant.roleId) return (await ctx.loaders.roles.load(grant.roleId))?.name ?? '';
      if (grant.serviceAccountId) return (await ctx.loaders.serviceAccounts.load(grant.serviceAccountId))?.name ?? '';
      return '';
    },
  },
};

export const accessListsModule: GatehouseModule = {
  name: 'access-lists',
  resolvers,
  authorization: {
    rules: {},
    inherits: {
      AccessEntry: {
        fields: ['principalType', 'principalId', 'displayName'],
        reason: 'an entry of an access list whose parent field checks access to the resource: a name, never an email',
        partOf: ['EnvVar', 'LLMConnection', 'GitRepo'],
      },
    },
  },
};
