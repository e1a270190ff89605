import { createHash } from 'node:crypto';
import { featureDecision } from '../../authz/guards.js';
import { BadUserInputError, NotFoundError } from '../../errors.js';
import type { GraphQLContext } from '../../graphql/context.js';
import { parseUuid } from '../../graphql/ids.js';
import { checkedStudioDefinition } from '../studio-projects/checked-definition.js';
import type { StudioDefinition } from '../studio-projects/studio-definition.js';
import type { StudioProjectRow } from '../studio-projects/studio-projects.table.js';
import type { ToolRow } from '../tools/tools.table.js';
import type { PlannedSource } from './planned-source.js';
import type { DeploymentRow } from './deployments.table.js';
import { findStudioSnapshot } from './studio-snapshots.repository.js';

/** The `format` of the document a Studio runtime receives (README "Fetching the code"). */
export const STUDIO_DOCUMENT_FORMAT = 'gatehouse.studio/v1';

/**
 * The document a Studio runtime receives: the definition with the tools it references as they
 * are at deploy time, so that it needs nothing else and later edits change no deployed version.
 */
function studioDocument(project: StudioProjectRow, definition: StudioDefinition, tools: readonly ToolRow[]): string {
  return JSON.stringify({
    format: STUDIO_DOCUMENT_FORMAT,
    project: { id: project.id, name: project.name },
    ...definition,
    tools: tools.map((tool) => ({ id: tool.id, name: tool.name, kind: tool.kind, description: tool.description, config: tool.config })),
  });
}

// SPEC §4 "build in Studio": studio_projects: MANAGE, besides crews_dashboards: READ (the mutation's rule).
function requireStudio(ctx: GraphQLContext, organizationId: number, field: string): void {
  const decision = featureDecision(ctx, organizationId, 'studio_projects', 'MANAGE', field);
  if (decision !== true) throw decision;
}

/** A deploy from a Studio project: its definition checked again (a tool may be gone) and frozen. */
export async function planStudioSource(ctx: GraphQLContext, organizationId: number, rawId: string): Promise<PlannedSource> {
  await ctx.authz.ensure(organizationId);
  requireStudio(ctx, organizationId, 'Mutation.deployAutomation (source.studioProjectId)');
  const id = parseUuid(rawId);
  const project = id ? await ctx.loaders.studioProjects.load(id) : null;
  if (!project || project.organizationId !== organizationId) throw new NotFoundError('StudioProject', rawId);
  if (!project.definition) {
    throw new BadUserInputError(
      `Studio project "${project.name}" has no definition yet; save one with updateStudioProject(input: { definition }) and deploy again.`,
      {
        field: 'source.studioProjectId',
      },
    );
  }
  const { definition, tools } = await checkedStudioDefinition(ctx, organizationId, project.definition);
  const document = studioDocument(project, definition, tools);
  const sha256 = createHash('sha256').update(document, 'utf8').digest('hex');
  return {
    source: { type: 'STUDIO', sha256 },
    gitRepoId: null,
    archiveId: null,
    gitRepo: null,
    studio: { projectId: project.id, projectName: project.name, sha256, snapshot: { document } },
  };
}

/**
 * Redeploy and rollback of a Studio version run the snapshot that version ran, whatever became of
 * the project since; building in Studio is still checked, as Git access and zip deployments are
 * for the other sources.
 */
export async function planStudioSnapshot(ctx: GraphQLContext, from: DeploymentRow, field: string): Promise<PlannedSource> {
  requireStudio(ctx, from.organizationId, `${field} (redeploying the Studio definition of version ${from.version})`);
  return studioSnapshotSource(ctx.db, from);
}

/** The source of a Studio version: its snapshot, as deployed. Callers decide who may redeploy it. */
export async function studioSnapshotSource(db: GraphQLContext['db'], from: DeploymentRow): Promise<PlannedSource> {
  const snapshot = from.studioSnapshotId ? await findStudioSnapshot(db, from.organizationId, from.studioSnapshotId) : undefined;
  // The table's check and foreign key keep a Studio version's snapshot: a miss is an internal error.
  if (!snapshot) throw new Error(`Studio deployment ${from.id} has no snapshot.`);
  return {
    source: { type: 'STUDIO', sha256: snapshot.sha256 },
    gitRepoId: null,
    archiveId: null,
    gitRepo: null,
    studio: { projectId: from.studioProjectId, projectName: snapshot.projectName, sha256: snapshot.sha256, snapshot: { id: snapshot.id } },
  };
}
