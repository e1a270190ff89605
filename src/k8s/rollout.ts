import type { V1Deployment } from '@kubernetes/client-node';
import type { Cluster } from './cluster.js';
import { KubeCallError } from './kube-error.js';
import { ProvisionError } from './provision-namespace.js';

/**
 * Moving an automation into another namespace did not complete: its new version did not become
 * ready in time, or its old objects could not be removed. Counted as `rollout` in
 * gatehouse_deploys_total.
 */
export class MoveError extends ProvisionError {}

export type RolloutState = { done: true } | { done: false; failed: boolean; reason: string };

/**
 * Whether a Deployment has rolled out, as `kubectl rollout status` decides it: the controller has
 * seen the current spec, every replica runs the new template, no old replica is left, and the new
 * ones are available. A rollout past its progress deadline has failed and will not finish alone.
 */
export function rolloutState(deployment: V1Deployment | null): RolloutState {
  if (!deployment) return { done: false, failed: true, reason: 'the Deployment does not exist' };
  const status = deployment.status ?? {};
  if ((deployment.metadata?.generation ?? 0) > (status.observedGeneration ?? 0)) {
    return { done: false, failed: false, reason: 'waiting for the deployment controller to observe the new spec' };
  }
  const stalled = status.conditions?.find((c) => c.type === 'Progressing' && c.reason === 'ProgressDeadlineExceeded');
  if (stalled) return { done: false, failed: true, reason: `progress deadline exceeded: ${stalled.message ?? ''}`.trim() };
  const wanted = deployment.spec?.replicas ?? 1;
  const updated = status.updatedReplicas ?? 0;
  const available = status.availableReplicas ?? 0;
  if (updated < wanted) return { done: false, failed: false, reason: `${updated} of ${wanted} replicas updated` };
  if ((status.replicas ?? 0) > updated) return { done: false, failed: false, reason: `${(status.replicas ?? 0) - updated} old replicas pending termination` };
  if (available < updated) return { done: false, failed: false, reason: `${available} of ${updated} updated replicas available` };
  return { done: true };
}

export type RolloutResult = { ready: true } | { ready: false; reason: string };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Reads the Deployment until it has rolled out, it has failed, or `timeoutMs` has passed. A read
 * that fails is a reason to stop only when retrying cannot help (a 403: the permission is missing).
 */
export async function waitForRollout(cluster: Cluster, namespace: string, name: string, timeoutMs: number, pollMs = 1000): Promise<RolloutResult> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let reason: string;
    try {
      const state = rolloutState(await cluster.readDeployment(namespace, name));
      if (state.done) return { ready: true };
      if (state.failed) return { ready: false, reason: state.reason };
      reason = state.reason;
    } catch (error) {
      if (!(error instanceof KubeCallError)) throw error;
      if (!error.retryable) return { ready: false, reason: error.message };
      reason = error.message;
    }
    const left = deadline - Date.now();
    if (left <= 0) return { ready: false, reason };
    await sleep(Math.min(pollMs, left));
  }
}
