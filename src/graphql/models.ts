/**
 * What each GraphQL object type is resolved from (codegen `mappers`, see codegen.ts): mostly the
 * row of its table, so that plain fields need no resolver of their own. Of a module it names only
 * `*.table.ts` types (.dependency-cruiser.cjs): the generated resolver types import this file, and
 * every module imports them.
 */
import type { EntityGrantRow } from '../authz/entity-grants.table.js';
import type { Feature, RoleTemplateDefinition } from '../authz/features.js';
import type { Principal } from '../authz/principal.js';
import type { AgentRow } from '../modules/agents/agents.table.js';
import type { ApiTokenRow } from '../modules/api-tokens/api-tokens.table.js';
import type { EnvVarRow } from '../modules/env-vars/env-vars.table.js';
import type { GitRepoRow } from '../modules/git-repos/git-repos.table.js';
import type { InvitationRow } from '../modules/invitations/invitations.table.js';
import type { LlmConnectionRow } from '../modules/llm-connections/llm-connections.table.js';
import type { MembershipRow } from '../modules/members/members.table.js';
import type { OrganizationRow } from '../modules/organizations/organizations.table.js';
import type { RoleRow } from '../modules/roles/roles.table.js';
import type { ServiceAccountRow } from '../modules/service-accounts/service-accounts.table.js';
import type { StudioProjectRow } from '../modules/studio-projects/studio-projects.table.js';
import type { ToolRow } from '../modules/tools/tools.table.js';
import type { TrainingRunRow } from '../modules/training-runs/training-runs.table.js';
import type { UsageBudgetRow } from '../modules/usage/usage.table.js';
import type { UserRow } from '../modules/users/users.table.js';
import type { AutomationRow } from '../modules/automations/automations.table.js';
import type { AppliedObject, DeploymentRow } from '../modules/deployments/deployments.table.js';
import type { FeatureFlagState } from '../modules/feature-flags/feature-flags.table.js';
import type { NamespaceMode } from '../modules/namespaces/namespaces.table.js';
import type { AutomationUsageRow, DailyUsageRow, ExecutionRow } from '../modules/executions/executions.table.js';
import type { SpanEvent, SpanLink, SpanRecord, SpanSource } from '../modules/executions/spans.table.js';
import type { HitlRequestRow } from '../modules/hitl/hitl.table.js';
import type { AuditEntryRow } from '../modules/audit/audit.table.js';
import type { WebhookAttemptRow, WebhookDeliveryRow, WebhookRow } from '../modules/webhooks/webhooks.table.js';
import type { Connection, Edge } from './pagination.js';
// Enums from the SDL, from the file of its own types: resolvers-types.ts imports this one.
import type { AutomationPermission, DecisionReason } from './generated/graphql-types.js';

export type {
  AgentRow,
  ApiTokenRow,
  EnvVarRow,
  GitRepoRow,
  InvitationRow,
  LlmConnectionRow,
  OrganizationRow,
  RoleRow,
  ServiceAccountRow,
  StudioProjectRow,
  ToolRow,
  TrainingRunRow,
  UserRow,
  Principal,
  RoleTemplateDefinition,
  AutomationRow,
  DeploymentRow,
  AppliedObject,
};

export interface AutomationDecisionModel {
  permission: AutomationPermission;
  allowed: boolean;
  reason: DecisionReason;
  explanation: string;
}
export interface OrganizationNamespaceModel {
  organizationId: number;
  namespace: string;
  expectedNamespace: string;
  isolated: boolean;
  mode: NamespaceMode;
  ready: boolean;
  message: string | null;
}
export type FeatureFlagModel = FeatureFlagState;
export type AutomationConnectionModel = Connection<AutomationRow>;
export type AutomationEdgeModel = Edge<AutomationRow>;
export type DeploymentConnectionModel = Connection<DeploymentRow>;
export type DeploymentEdgeModel = Edge<DeploymentRow>;
export type { ExecutionRow };
export type SpanModel = SpanRecord;
export type ExecutionConnectionModel = Connection<ExecutionRow>;
export type ExecutionEdgeModel = Edge<ExecutionRow>;
export type SpanConnectionModel = Connection<SpanRecord>;
export type SpanEdgeModel = Edge<SpanRecord>;
export type SpanEventModel = SpanEvent;
export type SpanLinkModel = SpanLink;
export type TraceResourceModel = SpanSource['resource'];
export type InstrumentationScopeModel = SpanSource['scope'];
export type AutomationUsageModel = AutomationUsageRow;
export type DailyUsageModel = DailyUsageRow;
export type { HitlRequestRow };
export type HitlRequestConnectionModel = Connection<HitlRequestRow>;
export type HitlRequestEdgeModel = Edge<HitlRequestRow>;
/** Who did something (Actor): a user or a service account. */
export interface ActorModel {
  principalType: 'USER' | 'SERVICE_ACCOUNT';
  principalId: string;
}
/** Who answered a human-in-the-loop request. */
export type HitlResponderModel = ActorModel;
export type { AuditEntryRow };
export type AuditEntryConnectionModel = Connection<AuditEntryRow>;
export type AuditEntryEdgeModel = Edge<AuditEntryRow>;

export interface ViewerPermissionsModel {
  organizationId: number;
  isOwner: boolean;
  roleId: string;
}
export interface ViewerMembershipModel {
  organizationId: number;
  roleId: string;
}
export type MembershipModel = MembershipRow & { id: string };
export interface PendingInvitationModel {
  id: string;
  organizationName: string;
  roleName: string;
  expiresAt: Date;
}
export interface CreatedApiTokenModel {
  apiToken: ApiTokenRow;
  secret: string;
}
export type AccessEntryModel = EntityGrantRow;
export type UsageModel = Pick<UsageBudgetRow, 'organizationId' | 'monthlyTokenBudget' | 'alertThresholdPercent'>;
export interface FeaturePermissionModel {
  feature: Feature;
  level: 'MANAGE' | 'READ' | 'NO_ACCESS';
  allowedLevels: readonly ('MANAGE' | 'READ' | 'NO_ACCESS')[];
}

export type MembershipConnectionModel = Connection<MembershipModel>;
export type MembershipEdgeModel = Edge<MembershipModel>;
export type InvitationConnectionModel = Connection<InvitationRow>;
export type InvitationEdgeModel = Edge<InvitationRow>;
export type ServiceAccountConnectionModel = Connection<ServiceAccountRow>;
export type ServiceAccountEdgeModel = Edge<ServiceAccountRow>;
export type EnvVarConnectionModel = Connection<EnvVarRow>;
export type EnvVarEdgeModel = Edge<EnvVarRow>;
export type LLMConnectionConnectionModel = Connection<LlmConnectionRow>;
export type LLMConnectionEdgeModel = Edge<LlmConnectionRow>;
export type GitRepoConnectionModel = Connection<GitRepoRow>;
export type GitRepoEdgeModel = Edge<GitRepoRow>;
export type ToolConnectionModel = Connection<ToolRow>;
export type ToolEdgeModel = Edge<ToolRow>;
export type AgentConnectionModel = Connection<AgentRow>;
export type AgentEdgeModel = Edge<AgentRow>;
export type StudioProjectConnectionModel = Connection<StudioProjectRow>;
export type StudioProjectEdgeModel = Edge<StudioProjectRow>;
export type TrainingRunConnectionModel = Connection<TrainingRunRow>;
export type TrainingRunEdgeModel = Edge<TrainingRunRow>;
export type { WebhookRow, WebhookDeliveryRow, WebhookAttemptRow };
export interface CreatedWebhookModel {
  webhook: WebhookRow;
  secret: string;
}
export interface WebhookRegistrantModel {
  principalType: 'USER' | 'SERVICE_ACCOUNT';
  principalId: string;
}
export type WebhookConnectionModel = Connection<WebhookRow>;
export type WebhookEdgeModel = Edge<WebhookRow>;
export type WebhookDeliveryConnectionModel = Connection<WebhookDeliveryRow>;
export type WebhookDeliveryEdgeModel = Edge<WebhookDeliveryRow>;
export type WebhookAttemptConnectionModel = Connection<WebhookAttemptRow>;
export type WebhookAttemptEdgeModel = Edge<WebhookAttemptRow>;
