import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { RateLimiterMemory, RateLimiterRedis, type RateLimiterAbstract, type RateLimiterRes } from 'rate-limiter-flexible';

type CounterOptions = ConstructorParameters<typeof RateLimiterMemory>[0];

/** The in-process counter rate-limiter-flexible falls back to (its insuranceLimiter), reporting each use. */
class FallbackCounter extends RateLimiterMemory {
  constructor(
    options: CounterOptions,
    private readonly onUse: () => void,
  ) {
    super(options);
  }

  override consume(key: string | number, points?: number, options?: Record<string, unknown>): Promise<RateLimiterRes> {
    this.onUse();
    return super.consume(key, points, options);
  }
}

/**
 * Counters kept in Redis, so that every replica counts against the same numbers (README "Rate
 * limits"). Redis is an optimisation of fairness, not a dependency: while it is unreachable each
 * counter falls back to counting in this process, and one warning says so.
 */
export class RedisCounters {
  private readonly client: Redis;
  /**
   * Settles when the first connection attempt has succeeded or failed (bounded by connectTimeout).
   * Requests wait for it, so that the first ones after a start are counted where all later ones
   * are, rather than in-process with a spurious warning while the connection is being made.
   */
  readonly firstAttempt: Promise<void>;
  private unavailable = false;
  private closed = false;

  constructor(
    private readonly url: string,
    private readonly logger: Logger,
  ) {
    this.client = new Redis(url, {
      // Without a connection a command fails at once, and the request is counted in-process,
      // instead of queueing until Redis is back while the client waits.
      enableOfflineQueue: false,
      connectTimeout: 1_000,
      // A Redis that accepts connections but does not answer costs a request at most this.
      commandTimeout: 500,
      maxRetriesPerRequest: 1,
      // A command cut off by a lost connection has been decided in-process already; replaying
      // it after the reconnect would count that request twice.
      autoResendUnfulfilledCommands: false,
      // Reconnects in the background for as long as the gateway runs, at most 5 s apart.
      retryStrategy: (attempt) => Math.min(attempt * 250, 5_000),
    });
    // Without a listener ioredis prints every failed reconnect; one warning per outage is enough.
    this.client.on('error', (error: unknown) => this.fellBack(error));
    this.client.on('ready', () => this.recovered());
    this.firstAttempt = new Promise((resolve) => {
      for (const event of ['ready', 'error', 'end']) this.client.once(event, () => resolve());
    });
  }

  /** A counter in Redis under `keyPrefix`, with an in-process twin for when Redis cannot answer. */
  counter(options: CounterOptions): RateLimiterAbstract {
    return new RateLimiterRedis({
      ...options,
      storeClient: this.client,
      rejectIfRedisNotReady: true,
      insuranceLimiter: new FallbackCounter(options, () => this.fellBack(undefined)),
    });
  }

  /** Warns once per outage, not once per request: under load that would be thousands of lines. */
  private fellBack(error: unknown): void {
    if (this.unavailable || this.closed) return;
    this.unavailable = true;
    this.logger.warn(
      { redis: redactedUrl(this.url), err: error instanceof Error ? error.message : undefined },
      'Rate limits: Redis (REDIS_URL) is unreachable, so each replica now counts only its own requests and a client may get up to the limit from every replica. ' +
        'Start Redis or correct REDIS_URL; the gateway reconnects by itself and shares the counters again.',
    );
  }

  private recovered(): void {
    if (!this.unavailable || this.closed) return;
    this.unavailable = false;
    this.logger.info({ redis: redactedUrl(this.url) }, 'Rate limits: Redis is reachable again; counters are shared across replicas again.');
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.client.status === 'ready') {
      try {
        await this.client.quit();
        return;
      } catch {
        // Lost between the check and QUIT: nothing left to say goodbye to.
      }
    }
    this.client.disconnect();
  }
}

/** REDIS_URL for the log, without its password. */
function redactedUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(REDIS_URL, not a URL)';
  }
}
