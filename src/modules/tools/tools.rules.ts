import type { ModuleAuthorization } from '../../authz/authorization-map.js';
import { entity, feature, member } from '../../authz/guards.js';

/** SPEC §2 `tools`: READ lists, MANAGE creates, edits, deletes. */
const manageTool = entity({ typeName: 'Tool', load: (ctx, id) => ctx.loaders.tools.load(id), feature: 'tools', level: 'MANAGE' });

export const toolsAuthorization: ModuleAuthorization = {
  rules: {
    Organization: {
      tools: feature('tools', 'READ', 'parent.id'),
      tool: feature('tools', 'READ', 'parent.id'),
    },
    Mutation: {
      createTool: feature('tools', 'MANAGE', 'args.organizationId'),
      updateTool: manageTool,
      deleteTool: manageTool,
    },
    Tool: { createdBy: member('parent.organizationId') },
  },
  inherits: {
    // By name: a tool's config may carry credentials one day, and such a field needs its own rule.
    Tool: {
      fields: ['id', 'name', 'description', 'kind', 'config', 'createdAt', 'updatedAt'],
      reason: 'plain data of a tool; every field returning a Tool checks tools >= READ',
    },
    ToolConnection: { fields: '*', reason: 'page of tools; Organization.tools checks tools >= READ' },
    ToolEdge: { fields: '*', reason: 'edge of a ToolConnection' },
  },
};
