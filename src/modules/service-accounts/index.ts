import type { GatehouseModule } from '../module.js';
import { createServiceAccountLoaders } from './service-accounts.loaders.js';
import { serviceAccountsResolvers } from './service-accounts.resolvers.js';
import { serviceAccountsAuthorization } from './service-accounts.rules.js';

export const serviceAccountsModule: GatehouseModule = {
  name: 'service-accounts',
  resolvers: serviceAccountsResolvers,
  authorization: serviceAccountsAuthorization,
};
export { createServiceAccountLoaders };
