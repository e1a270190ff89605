import type { ModuleAuthorization } from '../../authz/authorization-map.js';
import { authenticated, entity, feature, memberPerson } from '../../authz/guards.js';

/** Roles and their levels are organization configuration: SPEC §2 `organization_settings`. */
const manageRole = entity({
  typeName: 'Role',
  load: (ctx, id) => ctx.loaders.roles.load(id),
  feature: 'organization_settings',
  level: 'MANAGE',
});

export const rolesAuthorization: ModuleAuthorization = {
  rules: {
    Query: { roleTemplates: authenticated },
    Organization: { roles: memberPerson('parent.id') },
    Mutation: {
      createRole: feature('organization_settings', 'MANAGE', 'args.organizationId'),
      updateRole: manageRole,
      deleteRole: manageRole,
    },
  },
  inherits: {
    Role: { fields: '*', reason: 'a role of an organization the caller belongs to; members see roles to pick whitelists and see their own' },
    RoleTemplate: { fields: '*', reason: 'static templates from SPEC §2, the same for everyone signed in' },
    FeaturePermission: {
      fields: '*',
      reason: 'levels of a role or template the parent field already exposed',
      partOf: ['Role', 'RoleTemplate', 'ViewerPermissions'],
    },
  },
};
