import type { Executor } from '../../db/database.js';
import { UnreachableCaseError } from '../../errors.js';
import { findArchivesByIds } from '../archives/archives.repository.js';
import type { DeploymentRow } from './deployments.table.js';
import { findStudioSnapshot } from './studio-snapshots.repository.js';

/** The code a deployment runs, as `GET /v1/code` serves it to the runtime (README "Fetching the code"). */
export interface DeploymentCode {
  source: 'zip' | 'studio' | 'git';
  contentType: string;
  /** SHA-256 of `body`, lower-case hex: the ETag, and what the runtime verifies before running. */
  sha256: string;
  body: Buffer;
}

/**
 * What code this deployment has, when the gateway holds it (SPEC §7: "Code reaches the runtime from
 * the gateway (zip archives …), from Git (a read credential for that repository), or from a Studio
 * project's definition"). Null when the runtime gets it elsewhere (Git: it clones
 * GATEHOUSE_SOURCE_REPOSITORY_URL) or the gateway no longer has it.
 */
export async function deploymentCode(db: Executor, deployment: DeploymentRow): Promise<DeploymentCode | null> {
  switch (deployment.sourceType) {
    case 'ZIP':
      return zipCode(db, deployment);
    case 'STUDIO':
      return studioCode(db, deployment);
    case 'GIT':
      return null;
    default:
      throw new UnreachableCaseError(deployment.sourceType);
  }
}

async function zipCode(db: Executor, deployment: DeploymentRow): Promise<DeploymentCode | null> {
  // The archive row is kept while a deployment references it; a deleted one leaves archiveId null.
  if (!deployment.archiveId) return null;
  const [archive] = await findArchivesByIds(db, [deployment.archiveId]);
  // Archives are the organization's own (SPEC §1); the deploy checked it, this keeps it so.
  if (!archive || archive.organizationId !== deployment.organizationId) return null;
  // The digest the Deployment's GATEHOUSE_SOURCE_ARCHIVE_SHA256 pins; archive rows never change.
  if (deployment.archiveSha256 !== null && deployment.archiveSha256 !== archive.sha256) {
    throw new Error(`Deployment ${deployment.id} pins archive SHA-256 ${deployment.archiveSha256} but archive ${archive.id} has ${archive.sha256}`);
  }
  return { source: 'zip', contentType: 'application/zip', sha256: archive.sha256, body: archive.content };
}

async function studioCode(db: Executor, deployment: DeploymentRow): Promise<DeploymentCode | null> {
  // The snapshot frozen when the version (or the one it redeploys) was deployed; never the project as it is now.
  if (!deployment.studioSnapshotId) return null;
  const snapshot = await findStudioSnapshot(db, deployment.organizationId, deployment.studioSnapshotId);
  if (!snapshot) return null;
  // The digest the Deployment's GATEHOUSE_SOURCE_DEFINITION_SHA256 pins; snapshot rows never change.
  if (deployment.studioDefinitionSha256 !== null && deployment.studioDefinitionSha256 !== snapshot.sha256) {
    throw new Error(
      `Deployment ${deployment.id} pins definition SHA-256 ${deployment.studioDefinitionSha256} but snapshot ${snapshot.id} has ${snapshot.sha256}`,
    );
  }
  return { source: 'studio', contentType: 'application/json', sha256: snapshot.sha256, body: Buffer.from(snapshot.document, 'utf8') };
}
