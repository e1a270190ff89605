import { DependencyFailedError } from '../../errors.js';
import type { GraphQLContext } from '../../graphql/context.js';
import { asProvisionError } from '../../k8s/provision-namespace.js';
import { updateAutomation } from '../automations/automations.repository.js';
import type { AutomationRow } from '../automations/automations.table.js';
import { deployedNamespaces } from './deployments.repository.js';
import { deleteAutomationObjects } from './move-automation.js';

/**
 * SPEC §4 "delete": removes the automation's Kubernetes objects from every namespace a version went
 * to, then marks it deleted; its deployment history stays. If Kubernetes fails, nothing is marked
 * and the call can simply be repeated (objects already gone count as deleted).
 */
export async function removeAutomation(ctx: GraphQLContext, automation: AutomationRow): Promise<AutomationRow> {
  if (automation.deletedAt) return automation;
  const namespaces = await deployedNamespaces(ctx.db, automation.id);
  if (namespaces.length > 0) {
    const cluster = ctx.cluster;
    if (!cluster) {
      throw new DependencyFailedError(
        `This automation has objects on a Kubernetes cluster (namespaces ${namespaces.join(', ')}) but no cluster is configured now, so they cannot be removed. Configure the cluster and delete again.`,
      );
    }
    try {
      for (const namespace of namespaces) await deleteAutomationObjects(cluster, namespace, automation.id);
    } catch (error) {
      const failure = asProvisionError(error, ctx.config.k8s, automation.organizationId);
      throw new DependencyFailedError(`${failure.message} The automation was not deleted; delete again once this is fixed.`);
    }
  }
  const deleted = await updateAutomation(ctx.db, automation.organizationId, automation.id, { deletedAt: new Date() });
  return deleted ?? automation;
}
