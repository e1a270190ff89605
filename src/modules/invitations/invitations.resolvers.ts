import { ConflictError, ForbiddenError, NotFoundError, UnauthenticatedError } from '../../errors.js';
import { mustLoad } from '../../graphql/by-id-loader.js';
import type { GraphQLContext } from '../../graphql/context.js';
import type { Resolvers } from '../../graphql/generated/resolvers-types.js';
import { parseUuid } from '../../graphql/ids.js';
import { loadFound, pageOf } from '../../graphql/resource-helpers.js';
import { email } from '../../graphql/validate.js';
import { findRoleByKind } from '../roles/roles.repository.js';
import type { RoleRow } from '../roles/roles.table.js';
import { acceptInvitation, createInvitation, isOpenFor } from './invitation-flow.js';
import { countPendingInvitations, listPendingInvitations, revokeInvitation } from './invitations.repository.js';

const UNVERIFIED_EMAIL =
  'Mutation.acceptInvitation needs an email your identity provider has verified: verify the address with your identity provider, or sign in with one that marks it verified (email_verified), then accept again.';

/** The role to invite to: one of this organization's roles, the Member role when none is given. */
async function invitationRole(ctx: GraphQLContext, organizationId: number, rawRoleId: string | null | undefined): Promise<RoleRow> {
  if (rawRoleId == null) return findRoleByKind(ctx.db, organizationId, 'MEMBER');
  const roleId = parseUuid(rawRoleId);
  const role = roleId ? await ctx.loaders.roles.load(roleId) : null;
  if (!role || role.organizationId !== organizationId) throw new NotFoundError('Role', rawRoleId);
  return role;
}

export const invitationsResolvers: Resolvers = {
  Organization: {
    invitations: (org, args, ctx) =>
      pageOf(
        args,
        ctx,
        (page) => listPendingInvitations(ctx.db, org.id, page),
        () => countPendingInvitations(ctx.db, org.id),
      ),
  },
  Invitation: {
    role: (invitation, _args, ctx) => mustLoad(ctx.loaders.roles, invitation.roleId, 'Role'),
  },
  Mutation: {
    inviteMember: async (_root, { organizationId, input }, ctx) => {
      const orgId = Number(organizationId);
      const address = email(input.email, 'email');
      const role = await invitationRole(ctx, orgId, input.roleId);
      await ctx.authz.ensure(orgId);
      // Same rule as granting the Owner role to an existing member (members/change-membership.ts).
      if (role.kind === 'OWNER' && !ctx.authz.isOwner(orgId)) {
        throw new ForbiddenError('Mutation.inviteMember: inviting to the Owner role needs an Owner of this organization.');
      }
      return createInvitation(ctx.db, { organizationId: orgId, email: address, roleId: role.id, invitedByUserId: ctx.authz.userId });
    },
    revokeInvitation: async (_root, { id }, ctx) => {
      const invitation = await loadFound(ctx.loaders.invitations, id, 'Invitation');
      if (invitation.status !== 'PENDING') {
        throw new ConflictError(`This invitation is already ${invitation.status}; only PENDING invitations can be revoked.`);
      }
      const revoked = await revokeInvitation(ctx.db, invitation.organizationId, invitation.id);
      if (!revoked) throw new ConflictError('This invitation was accepted or revoked meanwhile; only PENDING invitations can be revoked.');
      return revoked;
    },
    acceptInvitation: async (_root, { id }, ctx) => {
      const principal = ctx.authz.principal;
      // The signedInUser rule already guarantees a user; this narrows the type.
      if (principal?.kind !== 'user') throw new UnauthenticatedError();
      // Checked before the invitation is looked up: an unproven address learns nothing about it.
      if (!principal.emailVerified) throw new ForbiddenError(UNVERIFIED_EMAIL);
      const invitationId = parseUuid(id);
      const invitation = invitationId ? await ctx.loaders.invitations.load(invitationId) : null;
      if (!invitation || !isOpenFor(invitation, principal.email)) throw new NotFoundError('Invitation', id);
      const membership = await acceptInvitation(ctx.db, invitation, principal.userId);
      return { organizationId: membership.organizationId, roleId: membership.roleId };
    },
  },
};
