import type { GatehouseModule } from '../module.js';
import { apiTokensResolvers } from './api-tokens.resolvers.js';
import { apiTokensAuthorization } from './api-tokens.rules.js';

export const apiTokensModule: GatehouseModule = { name: 'api-tokens', resolvers: apiTokensResolvers, authorization: apiTokensAuthorization };
