import type { GatehouseModule } from '../module.js';
import { automationsResolvers } from './automations.resolvers.js';
import { automationsAuthorization } from './automations.rules.js';

export const automationsModule: GatehouseModule = { name: 'automations', resolvers: automationsResolvers, authorization: automationsAuthorization };
