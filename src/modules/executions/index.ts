import type { GatehouseModule } from '../module.js';
import { executionsResolvers } from './executions.resolvers.js';
import { executionsAuthorization } from './executions.rules.js';

export const executionsModule: GatehouseModule = { name: 'executions', resolvers: executionsResolvers, authorization: executionsAuthorization };
