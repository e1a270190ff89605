import type { GatehouseModule } from '../module.js';
import { membersResolvers } from './members.resolvers.js';
import { membersAuthorization } from './members.rules.js';

export const membersModule: GatehouseModule = { name: 'members', resolvers: membersResolvers, authorization: membersAuthorization };
