import { agentsModule } from './agents/index.js';
import { apiTokensModule } from './api-tokens/index.js';
import { auditModule } from './audit/index.js';
import { automationsModule } from './automations/index.js';
import { deploymentsModule } from './deployments/index.js';
import { executionsModule } from './executions/index.js';
import { featureFlagsModule } from './feature-flags/index.js';
import { namespacesModule } from './namespaces/index.js';
import { envVarsModule } from './env-vars/index.js';
import { gitReposModule } from './git-repos/index.js';
import { hitlModule } from './hitl/index.js';
import { invitationsModule } from './invitations/index.js';
import { llmConnectionsModule } from './llm-connections/index.js';
import { membersModule } from './members/index.js';
import type { GatehouseModule } from './module.js';
import { organizationsModule } from './organizations/index.js';
import { rolesModule } from './roles/index.js';
import { serviceAccountsModule } from './service-accounts/index.js';
import { studioProjectsModule } from './studio-projects/index.js';
import { toolsModule } from './tools/index.js';
import { trainingRunsModule } from './training-runs/index.js';
import { usageModule } from './usage/index.js';
import { usersModule } from './users/index.js';
import { webhooksModule } from './webhooks/index.js';
import { accessListsModule } from './access-lists/index.js';
import { commonModule } from './common/index.js';

/** Every domain module of the gateway; its SDL is schema/<module>.graphql. */
export const modules: readonly GatehouseModule[] = [
  organizationsModule,
  usersModule,
  rolesModule,
  membersModule,
  invitationsModule,
  serviceAccountsModule,
  apiTokensModule,
  envVarsModule,
  llmConnectionsModule,
  gitReposModule,
  toolsModule,
  agentsModule,
  studioProjectsModule,
  trainingRunsModule,
  usageModule,
  automationsModule,
  deploymentsModule,
  executionsModule,
  hitlModule,
  namespacesModule,
  featureFlagsModule,
  auditModule,
  webhooksModule,
  accessListsModule,
  commonModule,
];
