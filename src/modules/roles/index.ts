import type { GatehouseModule } from '../module.js';
import { rolesResolvers } from './roles.resolvers.js';
import { rolesAuthorization } from './roles.rules.js';

export const rolesModule: GatehouseModule = { name: 'roles', resolvers: rolesResolvers, authorization: rolesAuthorization };
