import type { GatehouseModule } from '../module.js';
import { organizationsResolvers } from './organizations.resolvers.js';
import { organizationsAuthorization } from './organizations.rules.js';

export const organizationsModule: GatehouseModule = {
  name: 'organizations',
  resolvers: organizationsResolvers,
  authorization: organizationsAuthorization,
};
