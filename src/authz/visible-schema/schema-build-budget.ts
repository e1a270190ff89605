import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { LimitCode, LimitError } from '../../graphql/limits/limit-error.js';

/**
 * How many permission-set schemas a process builds per minute for the principals of one
 * organization (SCHEMA_BUILDS_PER_ORGANIZATION_PER_MINUTE). A build is the expensive part of a
 * cache miss, and an organization decides how many sets exist (roles, service accounts, role
 * edits): without a budget, one rotating through sets would spend the process's time for everyone.
 * Kept in process memory: builds are per process, so is their cost.
 */
export class SchemaBuildBudget {
  private readonly limiter: RateLimiterMemory | null;

  constructor(private readonly perMinute: number) {
    // Counted in windows of 10 s (a sixth of the minute's budget each): a rotating organization
    // cannot spend a whole minute's builds in one burst.
    this.limiter = perMinute > 0 ? new RateLimiterMemory({ points: Math.max(1, Math.ceil(perMinute / 6)), duration: 10 }) : null;
  }

  /** Takes one build from each organization's budget; refuses (429) when one of them is spent. */
  async take(organizationIds: readonly number[]): Promise<void> {
    if (!this.limiter || organizationIds.length === 0) return;
    let waitMs = 0;
    for (const id of organizationIds) {
      try {
        await this.limiter.consume(String(id));
      } catch (error) {
        if (!(error instanceof RateLimiterRes)) throw error;
        waitMs = Math.max(waitMs, error.msBeforeNext);
      }
    }
    if (waitMs === 0) return;
    const seconds = Math.max(1, Math.ceil(waitMs / 1000));
    throw new LimitError(
      LimitCode.RATE_LIMITED,
      { name: 'schemaBuildsPerOrganization', max: this.perMinute },
      `Rate limit schemaBuildsPerOrganization: the principals of this organization needed more new permission sets than the ${this.perMinute} a minute allowed (each role and role change is one; counted per 10 s). Retry after ${seconds} s; if this happens without anyone changing roles, an operator can raise SCHEMA_BUILDS_PER_ORGANIZATION_PER_MINUTE.`,
      429,
      { 'retry-after': String(seconds) },
    );
  }
}
