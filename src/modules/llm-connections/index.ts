import type { GatehouseModule } from '../module.js';
import { createLlmConnectionLoaders } from './llm-connections.loaders.js';
import { llmConnectionsResolvers } from './llm-connections.resolvers.js';
import { llmConnectionsAuthorization } from './llm-connections.rules.js';

export const llmConnectionsModule: GatehouseModule = {
  name: 'llm-connections',
  resolvers: llmConnectionsResolvers,
  authorization: llmConnectionsAuthorization,
};
export { createLlmConnectionLoaders };
