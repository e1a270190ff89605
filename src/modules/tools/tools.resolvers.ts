import { withUniqueName } from '../../db/unique-name.js';
import { NotFoundError } from '../../errors.js';
import type { Resolvers } from '../../graphql/generated/resolvers-types.js';
import { parseUuid } from '../../graphql/ids.js';
import { createdBy, found, loadFound, pageOf, textFields } from '../../graphql/resource-helpers.js';
import { jsonObject, requiredText } from '../../graphql/validate.js';
import { countTools, deleteTool, insertTool, listTools, updateTool } from './tools.repository.js';

const TEXT_LIMITS = { description: 2000 } as const;
const NAME_MAX = 100;
const CONFIG_MAX_BYTES = 65_536;

const nameTaken = (name: string) => `A tool named "${name}" already exists in this organization; choose another name.`;

export const toolsResolvers: Resolvers = {
  Organization: {
    tools: (org, args, ctx) =>
      pageOf(
        args,
        ctx,
        (page) => listTools(ctx.db, org.id, page),
        () => countTools(ctx.db, org.id),
      ),
    tool: async (org, args, ctx) => {
      const id = parseUuid(args.id);
      const tool = id ? await ctx.loaders.tools.load(id) : null;
      // Another organization's tool reads as nonexistent (SPEC §1).
      if (!tool || tool.organizationId !== org.id) throw new NotFoundError('Tool', args.id);
      return tool;
    },
  },
  Mutation: {
    createTool: async (_root, { organizationId, input }, ctx) => {
      const name = requiredText(input.name, 'name', NAME_MAX);
      const values = {
        organizationId: Number(organizationId),
        name,
        ...textFields(input, TEXT_LIMITS),
        kind: input.kind,
        config: jsonObject(input.config ?? {}, 'config', CONFIG_MAX_BYTES),
        createdByUserId: ctx.authz.userId,
      };
      return withUniqueName(nameTaken(name), () => insertTool(ctx.db, values));
    },
    updateTool: async (_root, { id, input }, ctx) => {
      const tool = await loadFound(ctx.loaders.tools, id, 'Tool');
      const name = input.name != null ? requiredText(input.name, 'name', NAME_MAX) : undefined;
      const patch = {
        ...(name !== undefined ? { name } : {}),
        ...textFields(input, TEXT_LIMITS),
        ...(input.config != null ? { config: jsonObject(input.config, 'config', CONFIG_MAX_BYTES) } : {}),
      };
      return found(await withUniqueName(nameTaken(name ?? ''), () => updateTool(ctx.db, tool.organizationId, tool.id, patch)), 'Tool', id);
    },
    deleteTool: async (_root, { id }, ctx) => {
      const tool = await loadFound(ctx.loaders.tools, id, 'Tool');
      if (!(await deleteTool(ctx.db, tool.organizationId, tool.id))) throw new NotFoundError('Tool', id);
      return tool.id;
    },
  },
  Tool: {
    createdBy,
  },
};
