import { BadUserInputError, ForbiddenError, NotFoundError } from '../../errors.js';
import { featureDecision } from '../../authz/guards.js';
import type { GraphQLContext } from '../../graphql/context.js';
import { parseUuid } from '../../graphql/ids.js';
import { isEnvVarVisible } from '../env-vars/env-vars.repository.js';
import type { EnvVarRow } from '../env-vars/env-vars.table.js';
import { isGitRepoVisible } from '../git-repos/git-repos.repository.js';
import { isLlmConnectionVisible } from '../llm-connections/llm-connections.repository.js';
import type { LlmConnectionRow } from '../llm-connections/llm-connections.table.js';
import type { PlannedSource } from './planned-source.js';
import { planStudioSource } from './studio-source.js';

export interface SourceInput {
  gitRepoId?: string | null;
  ref?: string | null;
  archiveId?: string | null;
  studioProjectId?: string | null;
}

const GIT_REF = /^(?!.*\.\.)(?!.*\/\/)[A-Za-z0-9._\/-]{1,255}$/;
const MAX_ATTACHED = 100;

function forbidden(message: string, extensions: Record<string, unknown> = {}): ForbiddenError {
  return new ForbiddenError(`Mutation.deployAutomation: ${message}`, extensions);
}

/**
 * SPEC §4 "Deploy from GitHub": the repository must be the organization's and, with Git RBAC on,
 * the caller must be on its access list (else NOT_FOUND, as for a repository that does not
 * exist). "Deploy from Zip": zip deployments must be enabled. "Build in Studio": studio-source.ts.
 */
export async function planSource(ctx: GraphQLContext, organizationId: number, input: SourceInput): Promise<PlannedSource> {
  await ctx.authz.ensure(organizationId);
  const scope = ctx.authz.scope(organizationId);
  if (!scope) throw new NotFoundError('Organization', organizationId);
  if ([input.gitRepoId, input.archiveId, input.studioProjectId].filter(Boolean).length !== 1) {
    throw new BadUserInputError('source needs exactly one of gitRepoId (with an optional ref), archiveId or studioProjectId.', { field: 'source' });
  }
  if (input.studioProjectId) return planStudioSource(ctx, organizationId, input.studioProjectId);
  if (input.gitRepoId) {
    const id = parseUuid(input.gitRepoId);
    const repo = id ? await ctx.loaders.gitRepos.load(id) : null;
    // With Git RBAC on, a repository whose access list leaves the caller out is not in their list
    // (SPEC §3 "Entity RBAC for other resources"), so it is refused exactly like a missing one, as
    // a private automation is (SPEC §3 rule 3): the answer names nothing the caller cannot see.
    if (!repo || repo.organizationId !== organizationId || !(await isGitRepoVisible(ctx.db, repo.id, scope))) {
      throw new NotFoundError('GitRepo', input.gitRepoId);
    }
    const ref = input.ref?.trim() || repo.defaultBranch;
    if (!GIT_REF.test(ref)) throw new BadUserInputError('ref must be a branch, tag or commit name (letters, digits, ".", "_", "-", "/").', { field: 'ref' });
    return {
      source: { type: 'GIT', repository: repo.fullName, cloneUrl: repo.cloneUrl, ref },
      gitRepoId: repo.id,
      archiveId: null,
      gitRepo: repo,
      studio: null,
    };
  }
  const organization = await ctx.loaders.organizations.load(organizationId);
  if (!organization?.zipDeploymentsEnabled) {
    throw forbidden(
      'zip deployments are disabled for this organization (organization settings: zipDeploymentsEnabled); deploy from a Git repository or ask an administrator to enable them.',
      { reason: 'ZIP_DEPLOYMENTS_DISABLED' },
    );
  }
  const id = parseUuid(input.archiveId);
  const archive = id ? await ctx.loaders.archives.load(id) : null;
  if (!archive || archive.organizationId !== organizationId) throw new NotFoundError('Archive', input.archiveId ?? '');
  return { source: { type: 'ZIP', archiveId: archive.id, sha256: archive.sha256 }, gitRepoId: null, archiveId: archive.id, gitRepo: null, studio: null };
}

/** SPEC §4 "Set environment variables": environment_variables: MANAGE and entity access to each. */
export async function planEnvVars(ctx: GraphQLContext, organizationId: number, ids: readonly string[]): Promise<EnvVarRow[]> {
  if (ids.length === 0) return [];
  if (ids.length > MAX_ATTACHED) throw new BadUserInputError(`At most ${MAX_ATTACHED} env vars can be attached to an automation.`, { field: 'envVarIds' });
  await ctx.authz.ensure(organizationId);
  const decision = featureDecision(ctx, organizationId, 'environment_variables', 'MANAGE', 'Mutation.deployAutomation (envVarIds)');
  if (decision !== true) throw decision;
  const scope = ctx.authz.scope(organizationId);
  return Promise.all(
    [...new Set(ids)].map(async (raw) => {
      const id = parseUuid(raw);
      const row = id ? await ctx.loaders.envVars.load(id) : null;
      if (!row || row.organizationId !== organizationId || !scope || !(await isEnvVarVisible(ctx.db, row.id, scope))) throw new NotFoundError('EnvVar', raw);
      return row;
    }),
  );
}

/** SPEC §4 "Configure LLM keys": llm_connections: MANAGE (and entity access when entity RBAC is on). */
export async function planLlmConnection(ctx: GraphQLContext, organizationId: number, raw: string | null | undefined): Promise<LlmConnectionRow | null> {
  if (!raw) return null;
  await ctx.authz.ensure(organizationId);
  const decision = featureDecision(ctx, organizationId, 'llm_connections', 'MANAGE', 'Mutation.deployAutomation (llmConnectionId)');
  if (decision !== true) throw decision;
  const id = parseUuid(raw);
  const row = id ? await ctx.loaders.llmConnections.load(id) : null;
  const scope = ctx.authz.scope(organizationId);
  if (!row || row.organizationId !== organizationId || !scope || !(await isLlmConnectionVisible(ctx.db, row.id, scope)))
    throw new NotFoundError('LLMConnection', raw);
  return row;
}
