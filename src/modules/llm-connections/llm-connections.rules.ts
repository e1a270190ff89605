import type { ModuleAuthorization } from '../../authz/authorization-map.js';
import { entity, feature } from '../../authz/guards.js';
import { isLlmConnectionVisible } from './llm-connections.repository.js';

/** SPEC §2 `llm_connections` (MANAGE or nothing) and §3 entity RBAC on the connection. */
const manageLlmConnection = entity({
  typeName: 'LLMConnection',
  load: (ctx, id) => ctx.loaders.llmConnections.load(id),
  feature: 'llm_connections',
  level: 'MANAGE',
  visible: (ctx, id, scope) => isLlmConnectionVisible(ctx.db, id, scope),
});

export const llmConnectionsAuthorization: ModuleAuthorization = {
  rules: {
    Organization: { llmConnections: feature('llm_connections', 'MANAGE', 'parent.id') },
    Mutation: {
      createLLMConnection: feature('llm_connections', 'MANAGE', 'args.organizationId'),
      updateLLMConnection: manageLlmConnection,
      deleteLLMConnection: manageLlmConnection,
      setLLMConnectionAccess: manageLlmConnection,
    },
  },
  inherits: {
    // Listed one by one, not '*': a field added later (an API key, say) must get a rule of its own.
    // No field returns the API key (SPEC §3: write-only); `apiKeyHint` is the masked last four.
    LLMConnection: {
      fields: ['id', 'name', 'provider', 'baseUrl', 'defaultModel', 'apiKeyHint', 'accessRestricted', 'accessList', 'createdAt', 'updatedAt'],
      reason: 'settings of an LLM connection, no secret among them; every field returning one checks llm_connections: MANAGE and its access list',
    },
    LLMConnectionConnection: {
      fields: '*',
      reason: 'page of LLM connections; Organization.llmConnections checks llm_connections: MANAGE and filters by access list',
    },
    LLMConnectionEdge: { fields: '*', reason: 'edge of an LLMConnectionConnection' },
  },
};
