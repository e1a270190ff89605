import type { ModuleAuthorization } from '../../authz/authorization-map.js';
import { member, unscopedFeature } from '../../authz/guards.js';
import { automationAction } from '../automations/automation.rule.js';
import { parentAutomationAction } from '../automations/parent-automation.rule.js';

// Deploys need an unscoped credential (SPEC §6: a scope names automations that exist, and reaches
// no env var, LLM connection or repository a deploy attaches).
const manageSettings = automationAction('MANAGE_SETTINGS', 'args.id', { unscopedOnly: true });

export const deploymentsAuthorization: ModuleAuthorization = {
  rules: {
    Mutation: {
      // SPEC §4: deploying needs crews_dashboards >= READ; the resolver checks the source's own
      // prerequisites, and manage_settings when the deploy is a new version of an automation.
      deployAutomation: unscopedFeature('crews_dashboards', 'READ', 'args.organizationId'),
      redeployAutomation: manageSettings,
      rollbackAutomation: manageSettings,
      deleteAutomation: automationAction('MANAGE_SETTINGS'),
    },
    // Deployment history of an automation the caller may view.
    Automation: { deployments: automationAction('VIEW', 'parent'), latestDeployment: automationAction('VIEW', 'parent') },
    Deployment: { automation: parentAutomationAction('VIEW'), deployedBy: member('parent.organizationId') },
  },
  inherits: {
    Deployment: {
      fields: [
        'id',
        'version',
        'status',
        'message',
        'retryable',
        'sourceType',
        'gitRepoFullName',
        'gitRef',
        'archiveSha256',
        'studioProjectName',
        'studioDefinitionSha256',
        'namespace',
        'isolated',
        'appliedObjects',
        'manifests',
        'rollbackOfVersion',
        'createdAt',
        'finishedAt',
      ],
      reason:
        'a version of an automation the caller may view (every field returning one checks it); Secret values (a Git read credential included) and the Studio document are never part of it',
    },
    KubernetesObject: {
      fields: ['apiVersion', 'kind', 'namespace', 'name', 'resourceVersion'],
      reason: 'an object a viewable deployment applied',
      partOf: ['Deployment'],
    },
    DeploymentConnection: { fields: '*', reason: "page of a viewable automation's deployments" },
    DeploymentEdge: { fields: '*', reason: 'edge of a DeploymentConnection' },
  },
};
