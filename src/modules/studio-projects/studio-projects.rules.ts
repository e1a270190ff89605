import type { ModuleAuthorization } from '../../authz/authorization-map.js';
import { entity, feature, member } from '../../authz/guards.js';

/**
 * SPEC §2 `studio_projects` allows only MANAGE or NO_ACCESS, so seeing the list needs MANAGE too
 * (SPEC §4 "build in Studio").
 */
const manageStudioProject = entity({
  typeName: 'StudioProject',
  load: (ctx, id) => ctx.loaders.studioProjects.load(id),
  feature: 'studio_projects',
  level: 'MANAGE',
});

export const studioProjectsAuthorization: ModuleAuthorization = {
  rules: {
    Organization: {
      studioProjects: feature('studio_projects', 'MANAGE', 'parent.id'),
    },
    Mutation: {
      createStudioProject: feature('studio_projects', 'MANAGE', 'args.organizationId'),
      updateStudioProject: manageStudioProject,
      deleteStudioProject: manageStudioProject,
    },
    StudioProject: { createdBy: member('parent.organizationId') },
  },
  inherits: {
    StudioProject: {
      fields: ['id', 'name', 'description', 'definition', 'createdAt', 'updatedAt'],
      reason: 'plain data of a Studio project; every field returning one checks studio_projects: MANAGE',
    },
    StudioProjectConnection: { fields: '*', reason: 'page of Studio projects; Organization.studioProjects checks studio_projects: MANAGE' },
    StudioProjectEdge: { fields: '*', reason: 'edge of a StudioProjectConnection' },
  },
};
