import type { ModuleAuthorization } from '../../authz/authorization-map.js';
import { feature } from '../../authz/guards.js';

/** SPEC §2 `usage_dashboards`: READ sees the usage budget, MANAGE changes it. */
export const usageAuthorization: ModuleAuthorization = {
  rules: {
    Organization: {
      usage: feature('usage_dashboards', 'READ', 'parent.id'),
    },
    Mutation: {
      updateUsageBudget: feature('usage_dashboards', 'MANAGE', 'args.organizationId'),
    },
  },
  inherits: {
    Usage: { fields: '*', reason: 'the budget of one organization; Organization.usage and the mutation check usage_dashboards' },
  },
};
