import type { ModuleAuthorization } from '../../authz/authorization-map.js';
import { authenticated } from '../../authz/guards.js';

export const usersAuthorization: ModuleAuthorization = {
  rules: {
    Query: { viewer: authenticated },
  },
  inherits: {
    Viewer: { fields: '*', reason: 'the caller itself; Query.viewer needs authentication and every list in it is the caller\'s own' },
    ViewerMembership: { fields: '*', reason: 'one of the caller\'s own memberships, from the request\'s permission preload' },
    User: { fields: '*', reason: 'identity (id, name, email) of a fellow member, reached only through fields ruled on their organization' },
  },
};
