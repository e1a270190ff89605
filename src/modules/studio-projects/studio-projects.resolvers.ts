import { withUniqueName } from '../../db/unique-name.js';
import { NotFoundError } from '../../errors.js';
import type { GraphQLContext } from '../../graphql/context.js';
import type { Resolvers } from '../../graphql/generated/resolvers-types.js';
import { createdBy, found, loadFound, pageOf, textFields } from '../../graphql/resource-helpers.js';
import { requiredText } from '../../graphql/validate.js';
import { checkedStudioDefinition } from './checked-definition.js';
import { countStudioProjects, deleteStudioProject, insertStudioProject, listStudioProjects, updateStudioProject } from './studio-projects.repository.js';

const TEXT_LIMITS = { description: 2000 } as const;
/** The column's check: 1 to 100 characters. */
const NAME_MAX = 100;

/** The definition as stored: checked whole (checked-definition.ts), defaults filled in. */
async function definitionText(ctx: GraphQLContext, organizationId: number, raw: Record<string, unknown>): Promise<string> {
  return JSON.stringify((await checkedStudioDefinition(ctx, organizationId, raw)).definition);
}

const nameTaken = (name: string) => `A Studio project named "${name}" already exists in this organization; choose another name.`;

export const studioProjectsResolvers: Resolvers = {
  Organization: {
    studioProjects: (org, args, ctx) =>
      pageOf(
        args,
        ctx,
        (page) => listStudioProjects(ctx.db, org.id, page),
        () => countStudioProjects(ctx.db, org.id),
      ),
  },
  Mutation: {
    createStudioProject: async (_root, { organizationId, input }, ctx) => {
      const name = requiredText(input.name, 'name', NAME_MAX);
      const text = textFields(input, TEXT_LIMITS);
      const orgId = Number(organizationId);
      const definition = input.definition != null ? await definitionText(ctx, orgId, input.definition) : null;
      return withUniqueName(nameTaken(name), () =>
        insertStudioProject(ctx.db, { organizationId: orgId, name, ...text, definition, createdByUserId: ctx.authz.userId }),
      );
    },
    updateStudioProject: async (_root, { id, input }, ctx) => {
      const project = await loadFound(ctx.loaders.studioProjects, id, 'StudioProject');
      const name = input.name != null ? requiredText(input.name, 'name', NAME_MAX) : undefined;
      const definition = input.definition != null ? await definitionText(ctx, project.organizationId, input.definition) : undefined;
      const patch = { ...(name !== undefined ? { name } : {}), ...textFields(input, TEXT_LIMITS), ...(definition !== undefined ? { definition } : {}) };
      const updated = await withUniqueName(nameTaken(name ?? ''), () => updateStudioProject(ctx.db, project.organizationId, project.id, patch));
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
