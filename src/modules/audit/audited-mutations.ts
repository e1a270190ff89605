import type { GraphQLContext } from '../../graphql/context.js';
import type { AuditTargetType, TargetKey } from './audit-snapshots.js';

/**
 * Which mutations write an audit entry (issue 4 §7: roles, members, grants, visibility, settings,
 * flags, tokens, secrets, deployments), what their target is, and how to find its key: from the
 * arguments (updates, deletes) or from the result (creates). test/audit/coverage.test.ts fails
 * on any mutation that is neither here nor in NOT_AUDITED.
 */
export interface AuditSpec {
  action: string;
  target: AuditTargetType;
  key: (args: Record<string, unknown>, result: unknown, ctx: GraphQLContext) => TargetKey | null;
}

const str = (value: unknown): string | null => (typeof value === 'string' || typeof value === 'number' ? String(value) : null);
const field = (value: unknown, name: string): unknown =>
  typeof value === 'object' && value !== null && name in value ? (value as Record<string, unknown>)[name] : undefined;

const byArg =
  (name: string) =>
  (args: Record<string, unknown>): TargetKey | null => {
    const value = str(args[name]);
    return value === null ? null : [value];
  };
const byResultId = (_args: Record<string, unknown>, result: unknown): TargetKey | null => {
  const id = str(field(result, 'id'));
  return id === null ? null : [id];
};
const membership = (args: Record<string, unknown>): TargetKey | null => {
  const organizationId = str(args.organizationId);
  const userId = str(args.userId);
  return organizationId && userId ? [organizationId, userId] : null;
};

export const AUDITED: Record<string, AuditSpec> = {
  createOrganization: { action: 'organization.create', target: 'Organization', key: byResultId },
  updateOrganizationSettings: { action: 'organization.settings.update', target: 'Organization', key: byArg('organizationId') },
  updateOrganizationDefaults: { action: 'organization.defaults.update', target: 'Organization', key: byArg('organizationId') },
  updateUsageBudget: { action: 'usage.budget.update', target: 'UsageBudget', key: byArg('organizationId') },
  createRole: { action: 'role.create', target: 'Role', key: byResultId },
  updateRole: { action: 'role.update', target: 'Role', key: byArg('id') },
  deleteRole: { action: 'role.delete', target: 'Role', key: byArg('id') },
  updateMemberRole: { action: 'member.role.update', target: 'Membership', key: membership },
  removeMember: { action: 'member.remove', target: 'Membership', key: membership },
  inviteMember: { action: 'invitation.create', target: 'Invitation', key: byResultId },
  revokeInvitation: { action: 'invitation.revoke', target: 'Invitation', key: byArg('id') },
  acceptInvitation: {
    action: 'invitation.accept',
    target: 'Membership',
    key: (_args, result, ctx) => {
      const organizationId = str(field(result, 'organizationId'));
      return organizationId && ctx.authz.userId ? [organizationId, ctx.authz.userId] : null;
    },
  },
  createServiceAccount: { action: 'service_account.create', target: 'ServiceAccount', key: byResultId },
  disableServiceAccount: { action: 'service_account.disable', target: 'ServiceAccount', key: byArg('id') },
  createApiToken: {
    action: 'api_token.create',
    target: 'ApiToken',
    key: (_args, result) => {
      const id = str(field(field(result, 'apiToken'), 'id'));
      return id === null ? null : [id];
    },
  },
  revokeApiToken: { action: 'api_token.revoke', target: 'ApiToken', key: byArg('id') },
  createEnvVar: { action: 'env_var.create', target: 'EnvVar', key: byResultId },
  updateEnvVar: { action: 'env_var.update', target: 'EnvVar', key: byArg('id') },
  deleteEnvVar: { action: 'env_var.delete', target: 'EnvVar', key: byArg('id') },
  setEnvVarAccess: { action: 'env_var.access.set', target: 'EnvVar', key: byArg('id') },
  createLLMConnection: { action: 'llm_connection.create', target: 'LLMConnection', key: byResultId },
  updateLLMConnection: { action: 'llm_connection.update', target: 'LLMConnection', key: byArg('id') },
  deleteLLMConnection: { action: 'llm_connection.delete', target: 'LLMConnection', key: byArg('id') },
  setLLMConnectionAccess: { action: 'llm_connection.access.set', target: 'LLMConnection', key: byArg('id') },
  connectGitRepo: { action: 'git_repo.connect', target: 'GitRepo', key: byResultId },
  disconnectGitRepo: { action: 'git_repo.disconnect', target: 'GitRepo', key: byArg('id') },
  setGitRepoAccess: { action: 'git_repo.access.set', target: 'GitRepo', key: byArg('id') },
  setGitRepoReadCredential: { action: 'git_repo.read_credential.set', target: 'GitRepo', key: byArg('id') },
  updateAutomation: { action: 'automation.update', target: 'Automation', key: byArg('id') },
  setAutomationAccess: { action: 'automation.access.set', target: 'Automation', key: byArg('id') },
  deleteAutomation: { action: 'automation.delete', target: 'Automation', key: byArg('id') },
  deployAutomation: { action: 'deployment.create', target: 'Deployment', key: byResultId },
  redeployAutomation: { action: 'deployment.redeploy', target: 'Deployment', key: byResultId },
  rollbackAutomation: { action: 'deployment.rollback', target: 'Deployment', key: byResultId },
  setFeatureFlag: { action: 'feature_flag.set', target: 'FeatureFlag', key: byArg('name') },
  runAutomation: { action: 'execution.start', target: 'Execution', key: byResultId },
  createWebhook: {
    action: 'webhook.create',
    target: 'Webhook',
    key: (_args, result) => {
      const id = str(field(field(result, 'webhook'), 'id'));
      return id === null ? null : [id];
    },
  },
  deleteWebhook: { action: 'webhook.delete', target: 'Webhook', key: byArg('id') },
  enableWebhook: { action: 'webhook.enable', target: 'Webhook', key: byArg('id') },
  replayWebhookDelivery: { action: 'webhook.delivery.replay', target: 'WebhookDelivery', key: byArg('id') },
  replayFailedWebhookDeliveries: { action: 'webhook.deliveries.replay', target: 'Webhook', key: byArg('webhookId') },
};

/** Mutations deliberately not audited, and why. */
export const NOT_AUDITED: Record<string, string> = {
  createTool: 'builder content, not access or configuration; tools keep created_by and timestamps',
  updateTool: 'builder content (see createTool)',
  deleteTool: 'builder content (see createTool)',
  createAgent: 'builder content (see createTool)',
  updateAgent: 'builder content (see createTool)',
  deleteAgent: 'builder content (see createTool)',
  createStudioProject: 'builder content (see createTool)',
  updateStudioProject: 'builder content (see createTool)',
  deleteStudioProject: 'builder content (see createTool)',
  startTrainingRun: 'a training run is its own record of who started what and when',
  cancelTrainingRun: 'a training run records its status changes itself',
  answerHitlRequest: 'the request records who answered what and when, and answers once',
  retryHitlForward: 'redelivers a recorded answer; the request keeps the delivery attempts',
};
