import type { ModuleAuthorization } from '../../authz/authorization-map.js';
import { feature, member } from '../../authz/guards.js';
import { automationAction } from './automation.rule.js';

const manageSettings = automationAction('MANAGE_SETTINGS');

export const automationsAuthorization: ModuleAuthorization = {
  rules: {
    Organization: {
      // The list is filtered in SQL by the view rule; by id, the resolver applies the same rule.
      automations: feature('crews_dashboards', 'READ', 'parent.id'),
      automation: feature('crews_dashboards', 'READ', 'parent.id'),
    },
    Mutation: {
      updateAutomation: manageSettings,
      setAutomationAccess: manageSettings,
    },
    Automation: {
      accessList: automationAction('MANAGE_SETTINGS', 'parent'),
      createdBy: member('parent.organizationId'),
    },
  },
  inherits: {
    Automation: {
      fields: ['id', 'name', 'description', 'visibility', 'createdAt', 'updatedAt', 'deletedAt', 'viewerPermissions'],
      reason: 'an automation the caller may view: every field returning one applies the SPEC §3 view rule',
    },
    AutomationPermissionDecision: { fields: '*', reason: "the caller's own decisions on an automation it may view", partOf: ['Automation'] },
    AutomationAccessEntry: {
      fields: ['principalType', 'principalId', 'displayName', 'permissions'],
      reason: 'entries of Automation.accessList, which needs manage_settings',
    },
    AutomationConnection: { fields: '*', reason: 'page of automations filtered in SQL by the view rule' },
    AutomationEdge: { fields: '*', reason: 'edge of an AutomationConnection' },
  },
};
