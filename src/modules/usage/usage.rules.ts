import type { ModuleAuthorization } from '../../authz/authorization-map.js';
import { feature } from '../../authz/guards.js';
import { parentAutomationAction } from '../automations/parent-automation.rule.js';

/**
 * SPEC §2 `usage_dashboards`: READ sees the usage budget and the dashboard, MANAGE changes the
 * budget. The dashboard's sums are filtered in SQL by the SPEC §3 view rule.
 */
export const usageAuthorization: ModuleAuthorization = {
  rules: {
    Organization: {
      usage: feature('usage_dashboards', 'READ', 'parent.id'),
    },
    Mutation: {
      updateUsageBudget: feature('usage_dashboards', 'MANAGE', 'args.organizationId'),
    },
    AutomationUsage: { automation: parentAutomationAction('VIEW', { memberReach: true }) },
  },
  inherits: {
    Usage: { fields: '*', reason: 'the budget of one organization; Organization.usage and the mutation check usage_dashboards' },
    AutomationUsage: {
      fields: '*',
      reason: 'usage of an automation the caller may view, from Organization.usage (usage_dashboards: READ)',
      partOf: ['Usage'],
    },
    DailyUsage: { fields: '*', reason: 'a day of usage summed over automations the caller may view, from Organization.usage', partOf: ['Usage'] },
  },
};
