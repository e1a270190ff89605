import type { ModuleAuthorization } from '../../authz/authorization-map.js';
import { feature, member, signedInUser } from '../../authz/guards.js';

export const organizationsAuthorization: ModuleAuthorization = {
  rules: {
    Query: { organization: member('args.id') },
    Mutation: {
      createOrganization: signedInUser,
      updateOrganizationSettings: feature('organization_settings', 'MANAGE', 'args.organizationId'),
      updateOrganizationDefaults: feature('default_settings', 'MANAGE', 'args.organizationId'),
    },
    Organization: {
      viewerPermissions: member('parent.id'),
      settings: feature('organization_settings', 'MANAGE', 'parent.id'),
      defaults: feature('default_settings', 'MANAGE', 'parent.id'),
    },
    ViewerPermissions: { role: member('parent.organizationId') },
  },
  inherits: {
    Organization: {
      fields: ['id', 'name', 'createdAt'],
      reason: 'identity of an organization; every field returning an Organization checks membership of it',
    },
    ViewerPermissions: { fields: ['isOwner', 'features'], reason: "the caller's own levels; Organization.viewerPermissions checks membership" },
    OrganizationSettings: {
      fields: ['plan', 'billingEmail', 'zipDeploymentsEnabled', 'gitRepositoryRbac', 'entityRbac'],
      reason: 'Organization.settings and the mutation check organization_settings: MANAGE',
    },
    OrganizationDefaults: { fields: '*', reason: 'Organization.defaults and the mutation check default_settings: MANAGE' },
  },
};
