import type { ModuleAuthorization } from '../../authz/authorization-map.js';
import { feature } from '../../authz/guards.js';
import { automationAction } from '../automations/automation.rule.js';

const manageSettings = automationAction('MANAGE_SETTINGS');

export const deploymentsAuthorization: ModuleAuthorization = {
  rules: {
    Mutation: {
      // SPEC §4: deploying needs crews_dashboards >= READ; the resolver checks the source's own
      // prerequisites, and manage_settings when the deploy is a new version of an automation.
      deployAutomation: feature('crews_dashboards', 'READ', 'args.organizationId'),
      redeployAutomation: manageSettings,
      rollbackAutomation: manageSettings,
      deleteAutomation: manageSettings,
    },
  },
  inherits: {
    Automation: { fields: ['deployments', 'latestDeployment'], reason: 'deployment history of an automation the caller may view' },
    Deployment: { fields: '*', reason: 'a version of an automation the caller may view; Secret values are never part of it' },
    KubernetesObject: { fields: '*', reason: 'an object a viewable deployment applied' },
    DeploymentConnection: { fields: '*', reason: 'page of a viewable automation\'s deployments' },
    DeploymentEdge: { fields: '*', reason: 'edge of a DeploymentConnection' },
  },
};
