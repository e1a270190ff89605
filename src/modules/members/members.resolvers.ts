import { NotFoundError } from '../../errors.js';
import { mustLoad } from '../../graphql/by-id-loader.js';
import type { Resolvers } from '../../graphql/generated/resolvers-types.js';
import { parseUuid } from '../../graphql/ids.js';
import { parsePage, toConnection } from '../../graphql/pagination.js';
import { changeMemberRole, removeMember } from './change-membership.js';
import { countMemberships, listMemberships } from './members.repository.js';

export const membersResolvers: Resolvers = {
  Organization: {
    members: async (org, args, ctx) => {
      const page = parsePage(args, ctx.config.maxPageSize);
      return toConnection(await listMemberships(ctx.db, org.id, page), page, () => countMemberships(ctx.db, org.id));
    },
  },
  Membership: {
    user: (membership, _args, ctx) => mustLoad(ctx.loaders.users, membership.userId, 'User'),
    role: (membership, _args, ctx) => mustLoad(ctx.loaders.roles, membership.roleId, 'Role'),
    joinedAt: (membership) => membership.createdAt,
  },
  Mutation: {
    updateMemberRole: async (_root, args, ctx) => {
      const organizationId = Number(args.organizationId);
      const userId = parseUuid(args.userId);
      if (!userId) throw new NotFoundError('Member', args.userId);
      const roleId = parseUuid(args.roleId);
      const role = roleId ? await ctx.loaders.roles.load(roleId) : null;
      if (!role || role.organizationId !== organizationId) throw new NotFoundError('Role', args.roleId);
      const updated = await changeMemberRole(ctx.db, ctx.authz, organizationId, userId, role);
      return { ...updated, id: updated.userId };
    },
    removeMember: async (_root, args, ctx) => {
      const userId = parseUuid(args.userId);
      if (!userId) throw new NotFoundError('Member', args.userId);
      await removeMember(ctx.db, ctx.authz, Number(args.organizationId), userId);
      return userId;
    },
  },
};
