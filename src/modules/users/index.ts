import type { GatehouseModule } from '../module.js';
import { usersResolvers } from './users.resolvers.js';
import { usersAuthorization } from './users.rules.js';

export const usersModule: GatehouseModule = { name: 'users', resolvers: usersResolvers, authorization: usersAuthorization };
