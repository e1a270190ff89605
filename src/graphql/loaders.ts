import type { Db } from '../db/database.js';
import { createEntityGrantLoaders } from '../authz/entity-grants.loaders.js';
import { createAgentLoaders } from '../modules/agents/agents.loaders.js';
import { createArchiveLoaders } from '../modules/archives/archives.loaders.js';
import { createAutomationLoaders } from '../modules/automations/automations.loaders.js';
import { createDeploymentLoaders } from '../modules/deployments/deployments.loaders.js';
import { createApiTokenLoaders } from '../modules/api-tokens/api-tokens.loaders.js';
import { createEnvVarLoaders } from '../modules/env-vars/env-vars.loaders.js';
import { createExecutionLoaders } from '../modules/executions/executions.loaders.js';
import { createGitRepoLoaders } from '../modules/git-repos/git-repos.loaders.js';
import { createHitlLoaders } from '../modules/hitl/hitl.loaders.js';
import { createInvitationLoaders } from '../modules/invitations/invitations.loaders.js';
import { createLlmConnectionLoaders } from '../modules/llm-connections/llm-connections.loaders.js';
import { createMemberLoaders } from '../modules/members/members.loaders.js';
import { createOrganizationLoaders } from '../modules/organizations/organizations.loaders.js';
import { createRoleLoaders } from '../modules/roles/roles.loaders.js';
import { createServiceAccountLoaders } from '../modules/service-accounts/service-accounts.loaders.js';
import { createStudioProjectLoaders } from '../modules/studio-projects/studio-projects.loaders.js';
import { createToolLoaders } from '../modules/tools/tools.loaders.js';
import { createTrainingRunLoaders } from '../modules/training-runs/training-runs.loaders.js';
import { createUserLoaders } from '../modules/users/users.loaders.js';
import { createWebhookLoaders } from '../modules/webhooks/webhooks.loaders.js';

/** Request-scoped DataLoaders of every module: one batched query per relation per tick. */
export function createLoaders(db: Db) {
  return {
    ...createEntityGrantLoaders(db),
    ...createAgentLoaders(db),
    ...createArchiveLoaders(db),
    ...createAutomationLoaders(db),
    ...createDeploymentLoaders(db),
    ...createApiTokenLoaders(db),
    ...createEnvVarLoaders(db),
    ...createExecutionLoaders(db),
    ...createGitRepoLoaders(db),
    ...createHitlLoaders(db),
    ...createInvitationLoaders(db),
    ...createLlmConnectionLoaders(db),
    ...createMemberLoaders(db),
    ...createOrganizationLoaders(db),
    ...createRoleLoaders(db),
    ...createServiceAccountLoaders(db),
    ...createStudioProjectLoaders(db),
    ...createToolLoaders(db),
    ...createTrainingRunLoaders(db),
    ...createUserLoaders(db),
    ...createWebhookLoaders(db),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
