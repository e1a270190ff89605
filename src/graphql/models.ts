/**
 * What each GraphQL object type is resolved from (codegen `mappers`, see codegen.ts): mostly the
 * row of its table, so that plain fields need no resolver of their own.
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
import type { Connection, Edge } from './pagination.js';

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
};

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
