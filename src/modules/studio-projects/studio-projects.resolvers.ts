import { withUniqueName } from '../../db/unique-name.js';
import { NotFoundError } from '../../errors.js';
import type { Resolvers } from '../../graphql/generated/resolvers-types.js';
import { createdBy, found, loadFound, pageOf, textFields } from '../../graphql/resource-helpers.js';
import { requiredText } from '../../graphql/validate.js';
import {
  countStudioProjects,
  deleteStudioProject,
  insertStudioProject,
  listStudioProjects,
  updateStudioProject,
} from './studio-projects.repository.js';

const TEXT_LIMITS = { description: 2000 } as const;
/** The column's check: 1 to 100 characters. */
const NAME_MAX = 100;

const nameTaken = (name: string) => `A Studio project named "${name}" already exists in this organization; choose another name.`;

export const studioProjectsResolvers: Resolvers = {
  Organization: {
    studioProjects: (org, args, ctx) =>
      pageOf(args, ctx, (page) => listStudioProjects(ctx.db, org.id, page), () => countStudioProjects(ctx.db, org.id)),
  },
  Mutation: {
    createStudioProject: async (_root, { organizationId, input }, ctx) => {
      const name = requiredText(input.name, 'name', NAME_MAX);
      const text = textFields(input, TEXT_LIMITS);
      return withUniqueName(nameTaken(name), () =>
        insertStudioProject(ctx.db, { organizationId: Number(organizationId), name, ...text, createdByUserId: ctx.authz.userId }),
      );
    },
    updateStudioProject: async (_root, { id, input }, ctx) => {
      const project = await loadFound(ctx.loaders.studioProjects, id, 'StudioProject');
      const name = input.name != null ? requiredText(input.name, 'name', NAME_MAX) : undefined;
      const patch = { ...(name !== undefined ? { name } : {}), ...textFields(input, TEXT_LIMITS) };
      const updated = await withUniqueName(nameTaken(name ?? ''), () =>
        updateStudioProject(ctx.db, project.organizationId, project.id, patch),
      );
      return found(updated, 'StudioProject', id);
    },
    deleteStudioProject: async (_root, { id }, ctx) => {
      const project = await loadFound(ctx.loaders.studioProjects, id, 'StudioProject');
      if (!(await deleteStudioProject(ctx.db, project.organizationId, project.id))) throw new NotFoundError('StudioProject', id);
      return project.id;
    },
  },
  StudioProject: {
    createdBy,
  },
};
