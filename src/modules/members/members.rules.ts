import type { ModuleAuthorization } from '../../authz/authorization-map.js';
import { feature, memberPerson } from '../../authz/guards.js';

export const membersAuthorization: ModuleAuthorization = {
  rules: {
    Organization: { members: memberPerson('parent.id') },
    Mutation: {
      // Members' roles are organization configuration (SPEC §2 organization_settings); touching an
      // Owner additionally needs an Owner, checked in the resolver where the roles are known.
      updateMemberRole: feature('organization_settings', 'MANAGE', 'args.organizationId'),
      removeMember: feature('organization_settings', 'MANAGE', 'args.organizationId'),
    },
  },
  inherits: {
    Membership: { fields: '*', reason: 'a member of an organization the caller belongs to' },
    MembershipConnection: { fields: '*', reason: 'page of members; Organization.members checks membership' },
    MembershipEdge: { fields: '*', reason: 'edge of a MembershipConnection' },
  },
};
