import { BadUserInputError, NotFoundError } from '../../errors.js';
import type { GraphQLContext } from '../../graphql/context.js';
import { parseUuid } from '../../graphql/ids.js';
import { findMembership } from '../members/members.repository.js';
import type { AccessEntry } from '../../authz/entity-grants.repository.js';

export const MAX_ACCESS_ENTRIES = 200;

export interface AccessEntryInput {
  principalType: 'USER' | 'ROLE' | 'SERVICE_ACCOUNT';
  principalId: string;
}

/**
 * Turns an access list from the API into entries, refusing any principal that is not of this
 * organization with NOT_FOUND, exactly as if it did not exist (SPEC §1).
 */
export async function resolveAccessEntries(
  ctx: GraphQLContext,
  organizationId: number,
  inputs: readonly AccessEntryInput[],
  permissions: string[] = [],
): Promise<AccessEntry[]> {
  if (inputs.length > MAX_ACCESS_ENTRIES) {
    throw new BadUserInputError(`An access list holds at most ${MAX_ACCESS_ENTRIES} entries; grant a role instead of many users.`);
  }
  return Promise.all(
    inputs.map(async ({ principalType, principalId }): Promise<AccessEntry> => {
      const id = parseUuid(principalId);
      const entry: AccessEntry = { userId: null, roleId: null, serviceAccountId: null, permissions };
      switch (principalType) {
        case 'USER': {
          if (!id || !(await findMembership(ctx.db, organizationId, id))) throw new NotFoundError('User', principalId);
          return { ...entry, userId: id };
        }
        case 'ROLE': {
          const role = id ? await ctx.loaders.roles.load(id) : null;
          if (!role || role.organizationId !== organizationId) throw new NotFoundError('Role', principalId);
          return { ...entry, roleId: role.id };
        }
        case 'SERVICE_ACCOUNT': {
          const account = id ? await ctx.loaders.serviceAccounts.load(id) : null;
          if (!account || account.organizationId !== organizationId) throw new NotFoundError('ServiceAccount', principalId);
          return { ...entry, serviceAccountId: account.id };
        }
      }
    }),
  );
}
