import type { ModuleAuthorization } from '../authz/authorization-map.js';
import type { Resolvers } from '../graphql/generated/resolvers-types.js';

/** What a domain module hands to the gateway: its resolvers and its rules (SDL: schema/<name>.graphql). */
export interface GatehouseModule {
  name: string;
  resolvers: Resolvers;
  authorization: ModuleAuthorization;
}
