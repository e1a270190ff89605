import type { GatehouseModule } from '../module.js';
import { namespacesResolvers } from './namespaces.resolvers.js';
import { namespacesAuthorization } from './namespaces.rules.js';

export const namespacesModule: GatehouseModule = { name: 'namespaces', resolvers: namespacesResolvers, authorization: namespacesAuthorization };
