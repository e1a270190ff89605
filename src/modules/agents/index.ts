import type { GatehouseModule } from '../module.js';
import { createAgentLoaders } from './agents.loaders.js';
import { agentsResolvers } from './agents.resolvers.js';
import { agentsAuthorization } from './agents.rules.js';

export const agentsModule: GatehouseModule = { name: 'agents', resolvers: agentsResolvers, authorization: agentsAuthorization };
export { createAgentLoaders };
