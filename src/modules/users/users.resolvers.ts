import type { Resolvers } from '../../graphql/generated/resolvers-types.js';
import { pendingInvitationsFor } from '../invitations/invitations.repository.js';
import { UnauthenticatedError } from '../../errors.js';
import { mustLoad } from '../../graphql/by-id-loader.js';

export const usersResolvers: Resolvers = {
  Query: {
    viewer: (_root, _args, ctx) => {
      if (!ctx.authz.principal) throw new UnauthenticatedError();
      return ctx.authz.principal;
    },
  },
  Viewer: {
    user: (principal, _args, ctx) => (principal.kind === 'user' ? ctx.loaders.users.load(principal.userId) : null),
    serviceAccount: (principal, _args, ctx) => (principal.kind === 'service_account' ? ctx.loaders.serviceAccounts.load(principal.serviceAccountId) : null),
    memberships: async (_principal, _args, ctx) => {
      const organizationIds = ctx.authz.organizationIds();
      // Every role: for a user in many organizations, every organization's grant in one statement.
      await ctx.authz.ensure(organizationIds);
      return organizationIds.flatMap((organizationId) => {
        const grant = ctx.authz.grant(organizationId);
        return grant ? [{ organizationId, roleId: grant.roleId }] : [];
      });
    },
    emailVerified: (principal) => principal.kind === 'user' && principal.emailVerified,
    pendingInvitations: async (principal, _args, ctx) => {
      // An address nobody proved is not the caller's to read invitations for (Viewer.emailVerified
      // tells a client why the list is empty; acceptInvitation says what to do).
      if (principal.kind !== 'user' || !principal.emailVerified) return [];
      const invitations = await pendingInvitationsFor(ctx.db, principal.email);
      return Promise.all(
        invitations.map(async (invitation) => {
          const [organization, role] = await Promise.all([
            ctx.loaders.organizations.load(invitation.organizationId),
            ctx.loaders.roles.load(invitation.roleId),
          ]);
          return { id: invitation.id, organizationName: organization?.name ?? '', roleName: role?.name ?? '', expiresAt: invitation.expiresAt };
        }),
      );
    },
  },
  ViewerMembership: {
    organization: (membership, _args, ctx) => mustLoad(ctx.loaders.organizations, membership.organizationId, 'Organization'),
    role: (membership, _args, ctx) => mustLoad(ctx.loaders.roles, membership.roleId, 'Role'),
  },
};
