import { isForeignKeyViolation } from '../../db/errors.js';
import { BadUserInputError, NotFoundError } from '../../errors.js';
import type { Resolvers } from '../../graphql/generated/resolvers-types.js';
import { parseOrganizationId } from '../../graphql/ids.js';
import { flagNameProblem } from './flag-name.js';
import { listFlags, setFlag } from './feature-flags.repository.js';

export const featureFlagsResolvers: Resolvers = {
  Query: {
    featureFlags: (_root, _args, ctx) => listFlags(ctx.db),
  },
  Mutation: {
    setFeatureFlag: async (_root, { name, enabled, organizationId }, ctx) => {
      const problem = flagNameProblem(name);
      if (problem) throw new BadUserInputError(problem, { field: 'name' });
      if (organizationId === null || organizationId === undefined) return setFlag(ctx.db, name, enabled);
      const id = parseOrganizationId(organizationId);
      const organization = id === null ? null : await ctx.loaders.organizations.load(id);
      if (!organization) throw new NotFoundError('Organization', organizationId);
      try {
        return await setFlag(ctx.db, name, enabled, organization.id);
      } catch (error) {
        // Deleted between the check and the insert.
        if (isForeignKeyViolation(error)) throw new NotFoundError('Organization', organizationId);
        throw error;
      }
    },
  },
};
