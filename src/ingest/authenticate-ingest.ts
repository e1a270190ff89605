import { hashToken, looksLikeIngestToken } from '../crypto/opaque-token.js';
import type { Executor } from '../db/database.js';

/** The deployment an ingest request comes from. */
export interface IngestSource {
  organizationId: number;
  automationId: string;
  deploymentId: string;
  version: number;
}

/**
 * Authenticates a deployed automation by the ingest token its Secret carries. Any version's token
 * stays valid while the automation exists (pods of the previous version report during a rollout);
 * a deleted automation's tokens stop working.
 */
export async function authenticateIngest(db: Executor, authorization: string | undefined): Promise<IngestSource | null> {
  const token = /^Bearer (\S+)$/.exec(authorization ?? '')?.[1];
  if (!token || !looksLikeIngestToken(token)) return null;
  const row = await db
    .selectFrom('automationDeployments')
    .innerJoin('automations', (join) =>
      join.onRef('automations.id', '=', 'automationDeployments.automationId').onRef('automations.organizationId', '=', 'automationDeployments.organizationId'),
    )
    .select([
      'automationDeployments.organizationId',
      'automationDeployments.automationId',
      'automationDeployments.id as deploymentId',
      'automationDeployments.version',
    ])
    .where('automationDeployments.ingestTokenHash', '=', hashToken(token))
    .where('automations.deletedAt', 'is', null)
    .executeTakeFirst();
  return row ?? null;
}
