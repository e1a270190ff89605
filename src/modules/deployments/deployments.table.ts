import type { ColumnType, Generated, Insertable, JSONColumnType, Selectable, Updateable } from 'kysely';

export type DeploymentStatus = 'PENDING' | 'PROVISIONING' | 'DEPLOYED' | 'FAILED' | 'SUPERSEDED';
export type SourceType = 'GIT' | 'ZIP' | 'STUDIO';

/** A Kubernetes object the deployment applied (or would apply). */
export interface AppliedObject {
  apiVersion: string;
  kind: string;
  namespace: string;
  name: string;
  resourceVersion: string | null;
}

/** One manifest as it is (or would be) applied; Secret values are never stored here. */
export type Manifest = Record<string, unknown>;

export interface AutomationDeploymentsTable {
  id: Generated<string>;
  organizationId: number;
  automationId: string;
  version: number;
  sourceType: SourceType;
  gitRepoId: string | null;
  gitRepoFullName: string | null;
  gitRef: string | null;
  archiveId: string | null;
  archiveSha256: string | null;
  /** A Studio source: the project (null once deleted), its name then, and the snapshot this version runs. */
  studioProjectId: string | null;
  studioProjectName: string | null;
  studioSnapshotId: string | null;
  studioDefinitionSha256: string | null;
  envVarIds: ColumnType<string[], string[] | undefined, string[]>;
  llmConnectionId: string | null;
  namespace: string;
  isolated: boolean;
  manifests: JSONColumnType<Manifest[], string, string>;
  appliedObjects: JSONColumnType<AppliedObject[], string | undefined, string>;
  status: ColumnType<DeploymentStatus, DeploymentStatus | undefined, DeploymentStatus>;
  message: string | null;
  retryable: Generated<boolean>;
  rollbackOfVersion: number | null;
  deployedByUserId: string | null;
  deployedByServiceAccountId: string | null;
  createdAt: ColumnType<Date, never, never>;
  finishedAt: ColumnType<Date | null, never, Date | null>;
  /** SHA-256 of the deployment's ingest token (src/ingest/authenticate-ingest.ts). */
  ingestTokenHash: ColumnType<Buffer | null, Buffer | null | undefined, never>;
}

export type DeploymentRow = Selectable<AutomationDeploymentsTable>;
export type NewDeployment = Insertable<AutomationDeploymentsTable>;
export type DeploymentUpdate = Updateable<AutomationDeploymentsTable>;
