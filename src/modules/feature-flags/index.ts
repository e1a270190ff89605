import type { GatehouseModule } from '../module.js';
import { featureFlagsResolvers } from './feature-flags.resolvers.js';
import { featureFlagsAuthorization } from './feature-flags.rules.js';

export const featureFlagsModule: GatehouseModule = {
  name: 'feature-flags',
  resolvers: featureFlagsResolvers,
  authorization: featureFlagsAuthorization,
};
