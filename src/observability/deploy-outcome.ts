import { KubeCallError } from '../k8s/kube-error.js';
import { ProvisionError } from '../k8s/provision-namespace.js';
import { MoveError } from '../k8s/rollout.js';

export type DeployOutcome = 'DEPLOYED' | 'FAILED' | 'SUPERSEDED';

/**
 * The `reason` label of gatehouse_deploys_total: why a deploy FAILED, by class, never a message or
 * a namespace. `none` for DEPLOYED and SUPERSEDED (a newer version of the automation was applied
 * first; nothing failed).
 * - `no_cluster`: no Kubernetes cluster configured; the deploy was recorded, not applied.
 * - `provisioning`: making the organization's own namespace usable failed (namespace or binding
 *   missing, a permission of the gateway missing, the registry secret missing, or the API failing
 *   during that step); usually an operator has to act.
 * - `kubernetes_4xx` / `kubernetes_5xx`: the Kubernetes API refused or failed applying the
 *   automation's objects (a 403 is a missing permission of the gateway's ServiceAccount).
 * - `kubernetes_unreachable`: no answer (timeout, refused connection).
 * - `rollout`: moving an automation into its organization's new namespace did not complete (the
 *   new version was not ready in time, or the old objects could not be removed).
 * - `internal`: a Gatehouse bug; the log has the cause.
 */
export const DEPLOY_REASONS = [
  'none',
  'no_cluster',
  'provisioning',
  'kubernetes_4xx',
  'kubernetes_5xx',
  'kubernetes_unreachable',
  'rollout',
  'internal',
] as const;
export type DeployReason = (typeof DEPLOY_REASONS)[number];
export type DeployFailureReason = Exclude<DeployReason, 'none'>;

/** The class of what a failed deploy threw. */
export function deployFailureReason(error: unknown): DeployFailureReason {
  if (error instanceof KubeCallError) {
    if (error.status === 0) return 'kubernetes_unreachable';
    return error.status >= 500 ? 'kubernetes_5xx' : 'kubernetes_4xx';
  }
  if (error instanceof MoveError) return 'rollout';
  return error instanceof ProvisionError ? 'provisioning' : 'internal';
}
