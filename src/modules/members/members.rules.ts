import type { ModuleAuthorization } from '../../authz/authorization-map.js';
import { feature, member, memberPerson } from '../../authz/guards.js';

/** A person or role of the membership's organization, which the caller belongs to. */
const ofTheOrganization = member('parent.organizationId');

export const membersAuthorization: ModuleAuthorization = {
  rules: {
    Organization: { members: memberPerson('parent.id') },
    Membership: { user: ofTheOrganization, role: ofTheOrganization },
    Mutation: {
      // Members' roles are organization configuration (SPEC §2 organization_settings); touching an
      // Owner additionally needs an Owner, checked in the resolver where the roles are known.
      updateMemberRole: feature('organization_settings', 'MANAGE', 'args.organizationId'),
      removeMember: feature('organization_settings', 'MANAGE', 'args.organizationId'),
    },
  },
  inherits: {
    Membership: { fields: ['joinedAt'], reason: 'a member of an organization the caller belongs to, from Organization.members or updateMemberRole' },
    MembershipConnection: { fields: '*', reason: 'page of members; Organization.members checks membership' },
    MembershipEdge: { fields: '*', reason: 'edge of a MembershipConnection' },
  },
};
