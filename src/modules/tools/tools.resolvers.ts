import { ConflictError, NotFoundError } from '../../errors.js';
import { isUniqueViolation } from '../../db/errors.js';
import type { Resolvers } from '../../graphql/generated/resolvers-types.js';
import { parseUuid } from '../../graphql/ids.js';
import { parsePage, toConnection } from '../../graphql/pagination.js';
import { jsonObject, optionalText, requiredText } from '../../graphql/validate.js';
import { countTools, deleteTool, insertTool, listTools, updateTool } from './tools.repository.js';

const nameTaken = (name: string) => new ConflictError(`A tool named "${name}" already exists in this organization; choose another name.`);

async function uniqueName<T>(name: string | undefined, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (isUniqueViolation(error)) throw nameTaken(name ?? '');
    throw error;
  }
}

export const toolsResolvers: Resolvers = {
  Organization: {
    tools: async (org, args, ctx) => {
      const page = parsePage(args, ctx.config.maxPageSize);
      return toConnection(await listTools(ctx.db, org.id, page), page, () => countTools(ctx.db, org.id));
    },
    tool: async (org, args, ctx) => {
      const id = parseUuid(args.id);
      const tool = id ? await ctx.loaders.tools.load(id) : null;
      if (!tool || tool.organizationId !== org.id) throw new NotFoundError('Tool', args.id);
      return tool;
    },
  },
  Mutation: {
    createTool: async (_root, { organizationId, input }, ctx) => {
      const name = requiredText(input.name, 'name', 100);
      return uniqueName(name, () =>
        insertTool(ctx.db, {
          organizationId: Number(organizationId),
          name,
          description: optionalText(input.description, 'description', 2000) ?? '',
          kind: input.kind,
          config: jsonObject(input.config ?? {}, 'config', 65_536),
          createdByUserId: ctx.authz.userId,
        }),
      );
    },
    updateTool: async (_root, { id, input }, ctx) => {
      const tool = await ctx.loaders.tools.load(id);
      if (!tool) throw new NotFoundError('Tool', id);
      const name = input.name === null || input.name === undefined ? undefined : requiredText(input.name, 'name', 100);
      const updated = await uniqueName(name, () =>
        updateTool(ctx.db, tool.organizationId, tool.id, {
          ...(name !== undefined ? { name } : {}),
          ...(input.description != null ? { description: optionalText(input.description, 'description', 2000) ?? '' } : {}),
          ...(input.config != null ? { config: jsonObject(input.config, 'config', 65_536) } : {}),
        }),
      );
      if (!updated) throw new NotFoundError('Tool', id);
      return updated;
    },
    deleteTool: async (_root, { id }, ctx) => {
      const tool = await ctx.loaders.tools.load(id);
      if (!tool || !(await deleteTool(ctx.db, tool.organizationId, tool.id))) throw new NotFoundError('Tool', id);
      return tool.id;
    },
  },
  Tool: {
    createdBy: (tool, _args, ctx) => (tool.createdByUserId ? ctx.loaders.users.load(tool.createdByUserId) : null),
  },
};
