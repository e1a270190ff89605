import type { ModuleAuthorization } from '../../authz/authorization-map.js';
import { entity, feature, member } from '../../authz/guards.js';

/** SPEC §2 `agents`: READ lists, MANAGE creates, edits, deletes. */
const manageAgent = entity({ typeName: 'Agent', load: (ctx, id) => ctx.loaders.agents.load(id), feature: 'agents', level: 'MANAGE' });

export const agentsAuthorization: ModuleAuthorization = {
  rules: {
    Organization: {
      agents: feature('agents', 'READ', 'parent.id'),
    },
    Mutation: {
      createAgent: feature('agents', 'MANAGE', 'args.organizationId'),
      updateAgent: manageAgent,
      deleteAgent: manageAgent,
    },
    Agent: { createdBy: member('parent.organizationId') },
  },
  inherits: {
    Agent: {
      fields: ['id', 'name', 'role', 'goal', 'backstory', 'createdAt', 'updatedAt'],
      reason: 'plain data of an agent; every field returning an Agent checks agents >= READ',
    },
    AgentConnection: { fields: '*', reason: 'page of agents; Organization.agents checks agents >= READ' },
    AgentEdge: { fields: '*', reason: 'edge of an AgentConnection' },
  },
};
