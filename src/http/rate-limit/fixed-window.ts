import { RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';

export type LimitName = 'perToken' | 'perAddress' | 'spansPerDeployment' | 'uploadsPerToken' | 'uploadsPerOrganization';

export interface Refusal {
  allowed: false;
  limit: LimitName;
  max: number;
  windowSeconds: number;
  retryAfterSeconds: number;
}

/**
 * One limit: at most `max` requests (or points) per key in a fixed window of `windowSeconds`, which starts at
 * a key's first request. Refused requests count too, so hammering does not shorten the wait.
 */
export class FixedWindow {
  constructor(
    readonly name: LimitName,
    readonly max: number,
    readonly windowSeconds: number,
    private readonly counter: RateLimiterAbstract,
    /** A counter that failed other than by refusing (it has no fallback left): the request is let through. */
    private readonly onCounterError: (error: unknown) => void,
  ) {}

  /** Counts `points` (one request, or the spans of one export) against `key`. */
  async hit(key: string, points = 1): Promise<Refusal | undefined> {
    try {
      await this.counter.consume(key, points);
      return undefined;
    } catch (outcome) {
      if (!(outcome instanceof RateLimiterRes)) {
        this.onCounterError(outcome);
        return undefined;
      }
      const retryAfterSeconds = Math.max(1, Math.ceil(outcome.msBeforeNext / 1000));
      return { allowed: false, limit: this.name, max: this.max, windowSeconds: this.windowSeconds, retryAfterSeconds };
    }
  }
}
