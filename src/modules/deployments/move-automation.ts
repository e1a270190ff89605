import type { K8sConfig } from '../../config.js';
import type { Executor } from '../../db/database.js';
import type { Cluster } from '../../k8s/cluster.js';
import { KubeCallError } from '../../k8s/kube-error.js';
import { deploymentName, secretName, serviceName } from '../../k8s/manifests.js';
import { kubeFailureMessage } from '../../k8s/messages.js';
import { MoveError, waitForRollout } from '../../k8s/rollout.js';
import { latestDeployedVersion } from './deployments.repository.js';

/**
 * Moving an automation between namespaces (README "Running on Kubernetes", namespace isolation).
 * When the k8s_namespace_isolation flag changes for an organization, its automations keep running
 * where their latest DEPLOYED version went until they are deployed again. That deploy applies the
 * new objects in the new namespace, waits until they are ready, and only then removes the old ones:
 * the automation runs twice for no longer than that rollout, and never not at all. The namespace
 * of the latest DEPLOYED version stays where the automation runs (a failed move leaves it there).
 */

/** Where the automation runs now, when that is not `namespace`; null for a first deploy or one in place. */
export async function namespaceToLeave(db: Executor, automationId: string, namespace: string): Promise<string | null> {
  const running = await latestDeployedVersion(db, automationId);
  return running && running.namespace !== namespace ? running.namespace : null;
}

/** Removes the automation's objects from `namespace`, the Service first so that nothing new is sent there; objects already gone count as removed. */
export async function deleteAutomationObjects(cluster: Cluster, namespace: string, automationId: string): Promise<void> {
  await cluster.deleteObject('Service', namespace, serviceName(automationId));
  await cluster.deleteObject('Deployment', namespace, deploymentName(automationId));
  await cluster.deleteObject('Secret', namespace, secretName(automationId));
}

export interface Move {
  organizationId: number;
  automationId: string;
  from: string;
  to: string;
}

const rerun = (organizationId: number) => `redeploy it, or run \`gatehouse namespaces migrate --org ${organizationId}\``;

/**
 * Called once the new objects are applied in `move.to`. Waits for their rollout (the Kubernetes API
 * stand-in of the tests reports a Deployment rolled out as soon as it is written), then removes the
 * old objects from `move.from`. A rollout that does not finish within K8S_ROLLOUT_TIMEOUT_MS leaves
 * the automation where it ran and takes the new objects away again, so that it never runs twice for
 * longer than the rollout.
 */
export async function completeMove(cluster: Cluster, config: K8sConfig, move: Move): Promise<void> {
  const { organizationId, automationId, from, to } = move;
  const name = deploymentName(automationId);
  const rollout = await waitForRollout(cluster, to, name, config.rolloutTimeoutMs);
  if (!rollout.ready) {
    let cleanup = `its new objects were removed from "${to}"`;
    try {
      await deleteAutomationObjects(cluster, to, automationId);
    } catch (error) {
      if (!(error instanceof KubeCallError)) throw error;
      cleanup = `its new objects could not be removed from "${to}" (${error.message}); the next deploy replaces them`;
    }
    throw new MoveError(
      `The move to "${to}" did not complete: deployment "${name}" was not ready within ${Math.round(config.rolloutTimeoutMs / 1000)} s (${rollout.reason}). ` +
        `The automation keeps running in "${from}", and ${cleanup}. Find out why its pods do not start (\`kubectl -n ${to} describe deployment ${name}\`: the image, the registry secret, resources), then ${rerun(organizationId)}.`,
      true,
    );
  }
  try {
    await deleteAutomationObjects(cluster, from, automationId);
  } catch (error) {
    if (!(error instanceof KubeCallError)) throw error;
    throw new MoveError(
      `The automation runs in "${to}" now, but its old objects in "${from}" could not be removed, so it may run in both: ${kubeFailureMessage(error, config, organizationId)} Once that is fixed, ${rerun(organizationId)} to finish the move.`,
      true,
    );
  }
}
