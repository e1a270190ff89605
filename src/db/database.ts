import type { Kysely, Transaction } from 'kysely';
import type { EntityGrantsTable } from '../authz/entity-grants.table.js';
import type { GrantSummariesTable } from '../authz/grant-summaries.table.js';
import type { AgentsTable } from '../modules/agents/agents.table.js';
import type { ApiTokensTable } from '../modules/api-tokens/api-tokens.table.js';
import type { EnvVarsTable } from '../modules/env-vars/env-vars.table.js';
import type { GitReposTable } from '../modules/git-repos/git-repos.table.js';
import type { InvitationsTable } from '../modules/invitations/invitations.table.js';
import type { LlmConnectionsTable } from '../modules/llm-connections/llm-connections.table.js';
import type { MembershipsTable } from '../modules/members/members.table.js';
import type { OrganizationsTable } from '../modules/organizations/organizations.table.js';
import type { RolesTable } from '../modules/roles/roles.table.js';
import type { ServiceAccountsTable } from '../modules/service-accounts/service-accounts.table.js';
import type { StudioProjectsTable } from '../modules/studio-projects/studio-projects.table.js';
import type { ToolsTable } from '../modules/tools/tools.table.js';
import type { TrainingRunsTable } from '../modules/training-runs/training-runs.table.js';
import type { UsageBudgetsTable } from '../modules/usage/usage.table.js';
import type { UsersTable } from '../modules/users/users.table.js';
import type { AutomationsTable } from '../modules/automations/automations.table.js';
import type { AutomationArchivesTable } from '../modules/archives/archives.table.js';
import type { AutomationDeploymentsTable } from '../modules/deployments/deployments.table.js';
import type { StudioDefinitionSnapshotsTable } from '../modules/deployments/studio-snapshots.table.js';
import type { FeatureFlagOrganizationsTable, FeatureFlagsTable } from '../modules/feature-flags/feature-flags.table.js';
import type { InstanceAdminsTable } from '../authz/instance-admins.table.js';
import type { OrganizationNamespacesTable } from '../modules/namespaces/namespaces.table.js';
import type { ExecutionsTable } from '../modules/executions/executions.table.js';
import type { ExecutionCountsTable } from '../modules/executions/execution-counts.table.js';
import type { SpanSourcesTable, SpansTable } from '../modules/executions/spans.table.js';
import type { AuditLogTable } from '../modules/audit/audit.table.js';
import type { HitlRequestsTable } from '../modules/hitl/hitl.table.js';
import type { TrustedDocumentsTable } from '../modules/trusted-documents/trusted-documents.table.js';
import type { WebhookAttemptsTable, WebhookDeliveriesTable, WebhooksTable } from '../modules/webhooks/webhooks.table.js';

/**
 * The union of every module's `*.table.ts`, keyed by table name. `test/db/schema-drift.test.ts`
 * compares it with the columns the migrations create. A table file holds only types, so naming
 * them here reaches nothing above src/db (.dependency-cruiser.cjs).
 */
export interface Database {
  organizations: OrganizationsTable;
  users: UsersTable;
  roles: RolesTable;
  memberships: MembershipsTable;
  invitations: InvitationsTable;
  serviceAccounts: ServiceAccountsTable;
  apiTokens: ApiTokensTable;
  envVars: EnvVarsTable;
  llmConnections: LlmConnectionsTable;
  gitRepos: GitReposTable;
  entityGrants: EntityGrantsTable;
  grantSummaries: GrantSummariesTable;
  tools: ToolsTable;
  agents: AgentsTable;
  studioProjects: StudioProjectsTable;
  trainingRuns: TrainingRunsTable;
  usageBudgets: UsageBudgetsTable;
  automations: AutomationsTable;
  automationArchives: AutomationArchivesTable;
  automationDeployments: AutomationDeploymentsTable;
  studioDefinitionSnapshots: StudioDefinitionSnapshotsTable;
  featureFlags: FeatureFlagsTable;
  featureFlagOrganizations: FeatureFlagOrganizationsTable;
  instanceAdmins: InstanceAdminsTable;
  organizationNamespaces: OrganizationNamespacesTable;
  executions: ExecutionsTable;
  executionCounts: ExecutionCountsTable;
  spans: SpansTable;
  spanSources: SpanSourcesTable;
  auditLog: AuditLogTable;
  hitlRequests: HitlRequestsTable;
  trustedDocuments: TrustedDocumentsTable;
  webhooks: WebhooksTable;
  webhookDeliveries: WebhookDeliveriesTable;
  webhookAttempts: WebhookAttemptsTable;
}

export type Db = Kysely<Database>;
/** Either the pool or an open transaction: repositories take this as their first parameter. */
export type Executor = Kysely<Database> | Transaction<Database>;
