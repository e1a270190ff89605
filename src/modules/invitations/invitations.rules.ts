import type { ModuleAuthorization } from '../../authz/authorization-map.js';
import { entity, feature, member, signedInUser } from '../../authz/guards.js';

/** SPEC §2 `invitations`: READ sees pending invitations, MANAGE invites and revokes. */
export const invitationsAuthorization: ModuleAuthorization = {
  rules: {
    Organization: {
      invitations: feature('invitations', 'READ', 'parent.id'),
    },
    Mutation: {
      // Inviting to the Owner role additionally needs an Owner, checked in the resolver where the role is known.
      inviteMember: feature('invitations', 'MANAGE', 'args.organizationId'),
      revokeInvitation: entity({
        typeName: 'Invitation',
        load: (ctx, id) => ctx.loaders.invitations.load(id),
        feature: 'invitations',
        level: 'MANAGE',
      }),
      // The invitee is not a member yet, so no organization rule can apply: the resolver answers
      // NOT_FOUND unless the invitation is open and addressed to the signed-in user's email.
      acceptInvitation: signedInUser,
    },
    Invitation: { role: member('parent.organizationId') },
  },
  inherits: {
    Invitation: {
      fields: ['id', 'email', 'status', 'createdAt', 'expiresAt'],
      reason: 'an invitation of an organization; every field returning one checks invitations >= READ',
    },
    InvitationConnection: { fields: '*', reason: 'page of invitations; Organization.invitations checks invitations >= READ' },
    InvitationEdge: { fields: '*', reason: 'edge of an InvitationConnection' },
    PendingInvitation: {
      fields: ['id', 'organizationName', 'roleName', 'expiresAt'],
      reason: 'an invitation addressed to the caller, reached only through Query.viewer',
    },
  },
};
