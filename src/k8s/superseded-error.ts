import type { KubeCallError } from './kube-error.js';

/**
 * The object already carries a newer version of the automation than the one being applied: a
 * deploy that started later finished this write first. Applying ours would roll the cluster back
 * behind what the API reports, so the older deploy stops here, superseded.
 */
export class SupersededError extends Error {
  constructor(
    readonly runningVersion: number,
    readonly call: KubeCallError['call'],
  ) {
    super(`${call.resource} "${call.name ?? ''}" in "${call.namespace ?? ''}" already runs version ${runningVersion}`);
  }
}
