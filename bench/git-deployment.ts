import type { NewDeployment } from '../src/modules/deployments/deployments.table.js';

/**
 * A deployment row of a Git-sourced automation in the shared namespace, as deployAutomation
 * stores one, for the benchmarks that seed their data in SQL rather than through the API.
 * `changes` sets what a benchmark needs otherwise (a version, a failure, an ingest token).
 */
export function gitDeployment(
  ids: { organizationId: number; automationId: string; deployedByUserId: string },
  repo: string,
  changes: Partial<NewDeployment> = {},
): NewDeployment {
  return {
    ...ids,
    version: 1,
    sourceType: 'GIT',
    gitRepoId: null,
    gitRepoFullName: repo,
    gitRef: 'main',
    archiveId: null,
    archiveSha256: null,
    envVarIds: [],
    llmConnectionId: null,
    namespace: 'crewai',
    isolated: false,
    manifests: '[]',
    appliedObjects: '[]',
    status: 'DEPLOYED',
    message: null,
    rollbackOfVersion: null,
    deployedByServiceAccountId: null,
    ingestTokenHash: null,
    ...changes,
  };
}
