import { withUniqueName } from '../../db/unique-name.js';
import { NotFoundError } from '../../errors.js';
import type { Resolvers } from '../../graphql/generated/resolvers-types.js';
import { createdBy, found, loadFound, pageOf, textFields } from '../../graphql/resource-helpers.js';
import { requiredText } from '../../graphql/validate.js';
import { countAgents, deleteAgent, insertAgent, listAgents, updateAgent } from './agents.repository.js';

/** Length limits of an agent's free-text fields; the name's is the column's check (1..100). */
const TEXT_LIMITS = { role: 200, goal: 2000, backstory: 8000 } as const;
const NAME_MAX = 100;

const nameTaken = (name: string) => `An agent named "${name}" already exists in this organization; choose another name.`;

export const agentsResolvers: Resolvers = {
  Organization: {
    agents: (org, args, ctx) =>
      pageOf(
        args,
        ctx,
        (page) => listAgents(ctx.db, org.id, page),
        () => countAgents(ctx.db, org.id),
      ),
  },
  Mutation: {
    createAgent: async (_root, { organizationId, input }, ctx) => {
      const name = requiredText(input.name, 'name', NAME_MAX);
      const text = textFields(input, TEXT_LIMITS);
      return withUniqueName(nameTaken(name), () =>
        insertAgent(ctx.db, { organizationId: Number(organizationId), name, ...text, createdByUserId: ctx.authz.userId }),
      );
    },
    updateAgent: async (_root, { id, input }, ctx) => {
      const agent = await loadFound(ctx.loaders.agents, id, 'Agent');
      const name = input.name != null ? requiredText(input.name, 'name', NAME_MAX) : undefined;
      const patch = { ...(name !== undefined ? { name } : {}), ...textFields(input, TEXT_LIMITS) };
      const updated = await withUniqueName(nameTaken(name ?? ''), () => updateAgent(ctx.db, agent.organizationId, agent.id, patch));
      return found(updated, 'Agent', id);
    },
    deleteAgent: async (_root, { id }, ctx) => {
      const agent = await loadFound(ctx.loaders.agents, id, 'Agent');
      if (!(await deleteAgent(ctx.db, agent.organizationId, agent.id))) throw new NotFoundError('Agent', id);
      return agent.id;
    },
  },
  Agent: {
    createdBy,
  },
};
