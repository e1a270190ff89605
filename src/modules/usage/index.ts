import type { GatehouseModule } from '../module.js';
import { usageResolvers } from './usage.resolvers.js';
import { usageAuthorization } from './usage.rules.js';

export const usageModule: GatehouseModule = { name: 'usage', resolvers: usageResolvers, authorization: usageAuthorization };
