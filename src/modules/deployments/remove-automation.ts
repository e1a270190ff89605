import { DependencyFailedError } from '../../errors.js';
import type { GraphQLContext } from '../../graphql/context.js';
import type { Cluster } from '../../k8s/cluster.js';
import { asProvisionError } from '../../k8s/provision-namespace.js';
import { updateAutomation } from '../automations/automations.repository.js';
import type { AutomationRow } from '../automations/automations.table.js';
import { deployedNamespaces } from './deployments.repository.js';
import { deleteAutomationObjects } from './move-automation.js';

/**
 * SPEC §4 "delete": removes the automation's Kubernetes objects from every namespace a version went
 * to, then marks it deleted; its deployment history stays. If Kubernetes fails, nothing is marked
 * and the call can simply be repeated (objects already gone count as deleted).
 *
 * Issue 14 §1: no transaction is held across a Kubernetes call. In deleteAutomation, an audited
 * mutation, the deletes are deferred with `afterCommit` until the audit entry has committed (the
 * entry records the request, as a deploy's does), and the automation is marked deleted after them
 * in a statement of its own.
 */
export async function removeAutomation(ctx: GraphQLContext, automation: AutomationRow): Promise<AutomationRow> {
  if (automation.deletedAt) return automation;
  const namespaces = await deployedNamespaces(ctx.db, automation.id);
  // Nothing on the cluster: marked within the caller's transaction, with its audit entry.
  if (namespaces.length === 0) return markDeleted(ctx, automation);
  const cluster = ctx.cluster;
  // Checked before anything commits, so that this refusal writes nothing, audit entry included.
  if (!cluster) {
    throw new DependencyFailedError(
      `This automation has objects on a Kubernetes cluster (namespaces ${namespaces.join(', ')}) but no cluster is configured now, so they cannot be removed. Configure the cluster and delete again.`,
    );
  }
  const remove = (outer: GraphQLContext) => removeObjectsThenMark(outer, cluster, automation, namespaces);
  if (ctx.afterCommit) {
    ctx.afterCommit(remove);
    return automation;
  }
  return remove(ctx);
}

async function removeObjectsThenMark(ctx: GraphQLContext, cluster: Cluster, automation: AutomationRow, namespaces: string[]): Promise<AutomationRow> {
  try {
    for (const namespace of namespaces) await deleteAutomationObjects(cluster, namespace, automation.id);
  } catch (error) {
    const failure = asProvisionError(error, ctx.config.k8s, automation.organizationId);
    throw new DependencyFailedError(`${failure.message} The automation was not deleted; delete again once this is fixed.`);
  }
  return markDeleted(ctx, automation);
}

async function markDeleted(ctx: GraphQLContext, automation: AutomationRow): Promise<AutomationRow> {
  const deleted = await updateAutomation(ctx.db, automation.organizationId, automation.id, { deletedAt: new Date() });
  return deleted ?? automation;
}
