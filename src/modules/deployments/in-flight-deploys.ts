import type { Db } from '../../db/database.js';
import { failUnfinishedDeployments } from './deployments.repository.js';

export const INTERRUPTED_MESSAGE = 'The gateway shut down before this deploy finished; some objects may have been applied. Redeploy to apply it in full.';

/**
 * The deploys this gateway is applying. A shutdown whose grace period ends before they do records
 * them as retryable failures, so that no deployment stays PENDING or PROVISIONING with nobody
 * working on it (a redeploy converges: every apply is idempotent).
 */
export class InFlightDeploys {
  private readonly ids = new Set<string>();

  async track<T>(deploymentId: string, work: () => Promise<T>): Promise<T> {
    this.ids.add(deploymentId);
    try {
      return await work();
    } finally {
      this.ids.delete(deploymentId);
    }
  }

  /** Marks the unfinished ones FAILED (retryable); a deploy that finishes later still records its outcome. */
  async interrupt(db: Db): Promise<number> {
    if (this.ids.size === 0) return 0;
    return failUnfinishedDeployments(db, [...this.ids], INTERRUPTED_MESSAGE);
  }
}
