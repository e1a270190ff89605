import type { Db } from '../../db/database.js';
import { failUnfinishedDeployments } from './deployments.repository.js';

export const INTERRUPTED_MESSAGE = 'The gateway shut down before this deploy finished; some objects may have been applied. Redeploy to apply it in full.';

/** One organization's deploys: how many apply now, and who waits for a turn. */
interface Lane {
  active: number;
  waiting: Array<() => void>;
}

/**
 * The deploys this gateway is applying, at most `perOrganization` of one organization at once
 * (K8S_DEPLOYS_PER_ORGANIZATION); the others wait in memory, holding no database connection, so an
 * organization whose cluster calls hang stalls only itself. A shutdown whose grace period ends
 * before they finish records them as retryable failures, so that no deployment stays PENDING or
 * PROVISIONING with nobody working on it (a redeploy converges: every apply is idempotent).
 */
export class InFlightDeploys {
  private readonly ids = new Set<string>();
  private readonly lanes = new Map<number, Lane>();

  constructor(private readonly perOrganization = Number.POSITIVE_INFINITY) {}

  async track<T>(deployment: { id: string; organizationId: number }, work: () => Promise<T>): Promise<T> {
    this.ids.add(deployment.id);
    try {
      await this.turn(deployment.organizationId);
      try {
        return await work();
      } finally {
        this.release(deployment.organizationId);
      }
    } finally {
      this.ids.delete(deployment.id);
    }
  }

  /** Deploys of the organization waiting for a turn (for tests and operators' curiosity). */
  waiting(organizationId: number): number {
    return this.lanes.get(organizationId)?.waiting.length ?? 0;
  }

  private async turn(organizationId: number): Promise<void> {
    let lane = this.lanes.get(organizationId);
    if (!lane) this.lanes.set(organizationId, (lane = { active: 0, waiting: [] }));
    if (lane.active < this.perOrganization) {
      lane.active += 1;
      return;
    }
    // The releasing deploy hands its turn over: `active` stays as it is.
    await new Promise<void>((resolve) => lane.waiting.push(resolve));
  }

  private release(organizationId: number): void {
    const lane = this.lanes.get(organizationId);
    if (!lane) return;
    const next = lane.waiting.shift();
    if (next) return next();
    lane.active -= 1;
    if (lane.active === 0) this.lanes.delete(organizationId);
  }

  /** Marks the unfinished ones FAILED (retryable); a deploy that finishes later still records its outcome. */
  async interrupt(db: Db): Promise<number> {
    if (this.ids.size === 0) return 0;
    return failUnfinishedDeployments(db, [...this.ids], INTERRUPTED_MESSAGE);
  }
}
