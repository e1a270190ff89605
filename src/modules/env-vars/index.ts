import type { GatehouseModule } from '../module.js';
import { createEnvVarLoaders } from './env-vars.loaders.js';
import { envVarsResolvers } from './env-vars.resolvers.js';
import { envVarsAuthorization } from './env-vars.rules.js';

export const envVarsModule: GatehouseModule = {
  name: 'env-vars',
  resolvers: envVarsResolvers,
  authorization: envVarsAuthorization,
};
export { createEnvVarLoaders };
