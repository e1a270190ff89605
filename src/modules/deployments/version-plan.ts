import { UnreachableCaseError } from '../../errors.js';
import type { GraphQLContext } from '../../graphql/context.js';
import type { EnvVarRow } from '../env-vars/env-vars.table.js';
import type { LlmConnectionRow } from '../llm-connections/llm-connections.table.js';
import type { PlannedSource } from './planned-source.js';
import type { DeploymentRow } from './deployments.table.js';
import { studioSnapshotSource } from './studio-source.js';

/** A version that cannot be deployed again as it was: what it ran from is gone. */
export class NotRedeployableError extends Error {}

export interface VersionPlan {
  planned: PlannedSource;
  envVars: EnvVarRow[];
  llmConnection: LlmConnectionRow | null;
}

/**
 * The deploy request that runs `from` again, unchanged, for an operator moving it to another
 * namespace (`gatehouse namespaces migrate`). Unlike redeployAutomation, nobody chooses anything
 * new here and there is no caller to check: the source, env vars and LLM connection are those the
 * running version was deployed with, already checked then. What was deleted since cannot be
 * brought back: a source is refused (deploy a new version), an attachment is left out, as
 * redeploy does.
 */
export async function planFromVersion(ctx: GraphQLContext, from: DeploymentRow): Promise<VersionPlan> {
  const organizationId = from.organizationId;
  const envVars = (await Promise.all(from.envVarIds.map((id) => ctx.loaders.envVars.load(id)))).filter(
    (row): row is EnvVarRow => row?.organizationId === organizationId,
  );
  const llm = from.llmConnectionId ? await ctx.loaders.llmConnections.load(from.llmConnectionId) : null;
  return { planned: await sourceOf(ctx, from), envVars, llmConnection: llm?.organizationId === organizationId ? llm : null };
}

async function sourceOf(ctx: GraphQLContext, from: DeploymentRow): Promise<PlannedSource> {
  const none = { gitRepoId: null, archiveId: null, gitRepo: null, studio: null };
  const type = from.sourceType;
  switch (type) {
    case 'GIT': {
      const repo = from.gitRepoId ? await ctx.loaders.gitRepos.load(from.gitRepoId) : null;
      if (!repo || repo.organizationId !== from.organizationId) {
        throw new NotRedeployableError(
          `version ${from.version} was deployed from ${from.gitRepoFullName ?? 'a Git repository'}, which is no longer connected: deploy a new version from a connected repository.`,
        );
      }
      const ref = from.gitRef ?? repo.defaultBranch;
      return { ...none, source: { type: 'GIT', repository: repo.fullName, cloneUrl: repo.cloneUrl, ref }, gitRepoId: repo.id, gitRepo: repo };
    }
    case 'ZIP': {
      const archive = from.archiveId ? await ctx.loaders.archives.load(from.archiveId) : null;
      if (!archive || archive.organizationId !== from.organizationId) {
        throw new NotRedeployableError(`the archive version ${from.version} was deployed from is gone: upload it again and deploy a new version.`);
      }
      return { ...none, source: { type: 'ZIP', archiveId: archive.id, sha256: archive.sha256 }, archiveId: archive.id };
    }
    case 'STUDIO':
      // The caller's studio_projects check is planStudioSnapshot's; a migration has no caller.
      return studioSnapshotSource(ctx.db, from);
    default:
      throw new UnreachableCaseError(type);
  }
}
