import type { GatehouseModule } from '../module.js';
import { deploymentsResolvers } from './deployments.resolvers.js';
import { deploymentsAuthorization } from './deployments.rules.js';

export const deploymentsModule: GatehouseModule = { name: 'deployments', resolvers: deploymentsResolvers, authorization: deploymentsAuthorization };
