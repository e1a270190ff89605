import { GatehouseError } from '../../errors.js';
import type { GraphQLContext } from '../../graphql/context.js';
import { automationsOutsideNamespace } from '../namespaces/automations-outside.js';
import { resolveNamespace } from '../namespaces/resolve-namespace.js';
import { deploy } from './deploy-service.js';
import { latestDeployedVersion } from './deployments.repository.js';
import { NotRedeployableError, planFromVersion } from './version-plan.js';

export interface MigratedAutomation {
  automationId: string;
  name: string;
  from: string;
  to: string;
  /** The version it ran, and the version the move deployed (null when none was recorded). */
  fromVersion: number;
  version: number | null;
  status: 'DEPLOYED' | 'FAILED';
  message: string | null;
}

export interface MigrationSummary {
  organizationId: number;
  namespace: string;
  isolated: boolean;
  moved: number;
  failed: number;
  automations: MigratedAutomation[];
}

/**
 * `gatehouse namespaces migrate --org ID`: moves every automation of the organization that runs
 * outside the namespace it deploys to now, one after another, by deploying its latest DEPLOYED
 * version again there (a new version; src/modules/deployments/move-automation.ts waits for it to
 * be ready, then removes the old objects). One failure does not stop the others; running it again
 * moves what is left.
 */
export async function migrateOrganization(ctx: GraphQLContext, organizationId: number, progress: (line: string) => void): Promise<MigrationSummary> {
  const target = await resolveNamespace(ctx.db, ctx.config.k8s, organizationId);
  const pending = await automationsOutsideNamespace(ctx.db, organizationId, target.namespace);
  progress(
    `organization ${organizationId} deploys to "${target.namespace}"${target.isolated ? '' : ' (isolation is off: the shared namespace)'}; ${pending.length} automation(s) to move`,
  );
  const automations: MigratedAutomation[] = [];
  for (const [index, item] of pending.entries()) {
    const base = { automationId: item.automationId, name: item.name, from: item.namespace, to: target.namespace, fromVersion: item.version };
    progress(
      `[${index + 1}/${pending.length}] ${item.name} (${item.automationId}): version ${item.version} from "${item.namespace}" to "${target.namespace}"…`,
    );
    const result = await moveOne(ctx, organizationId, item.automationId);
    automations.push({ ...base, ...result });
    progress(
      `[${index + 1}/${pending.length}] ${item.name}: ${result.status}${result.version === null ? '' : ` as version ${result.version}`}${result.status === 'FAILED' && result.message ? `: ${result.message}` : ''}`,
    );
  }
  const moved = automations.filter((a) => a.status === 'DEPLOYED').length;
  return { organizationId, namespace: target.namespace, isolated: target.isolated, moved, failed: automations.length - moved, automations };
}

async function moveOne(ctx: GraphQLContext, organizationId: number, automationId: string): Promise<Pick<MigratedAutomation, 'version' | 'status' | 'message'>> {
  const [automation, from] = await Promise.all([ctx.loaders.automations.load(automationId), latestDeployedVersion(ctx.db, automationId)]);
  // Deleted or undeployed since the list was read: nothing runs to move.
  if (!automation || automation.deletedAt || !from)
    return { version: null, status: 'FAILED', message: 'it was deleted, or has no deployed version any more; nothing to move.' };
  try {
    const { planned, envVars, llmConnection } = await planFromVersion(ctx, from);
    const deployed = await deploy(ctx, { organizationId, automation: { existing: automation }, planned, envVars, llmConnection, rollbackOfVersion: null });
    return { version: deployed.version, status: deployed.status === 'DEPLOYED' ? 'DEPLOYED' : 'FAILED', message: deployed.message };
  } catch (error) {
    // Refusals that concern this automation alone (its source is gone, it was deleted meanwhile).
    if (error instanceof NotRedeployableError || error instanceof GatehouseError)
      return { version: null, status: 'FAILED', message: `not moved: ${error.message}` };
    throw error;
  }
}
