import type { GatehouseModule } from '../module.js';
import { createToolLoaders } from './tools.loaders.js';
import { toolsResolvers } from './tools.resolvers.js';
import { toolsAuthorization } from './tools.rules.js';

export const toolsModule: GatehouseModule = {
  name: 'tools',
  resolvers: toolsResolvers,
  authorization: toolsAuthorization,
};
export { createToolLoaders };
