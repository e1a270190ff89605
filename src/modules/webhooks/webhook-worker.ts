import type { Logger } from 'pino';
import type { WebhookConfig } from '../../config.js';
import type { SecretBox } from '../../crypto/secret-box.js';
import type { Db } from '../../db/database.js';
import { claimDueDeliveries, recordAttempt, type ClaimedDelivery, type Recorded } from './deliveries.repository.js';
import { sendWebhook, type AttemptOutcome } from './send-webhook.js';
import { openWebhookSecret } from './webhook-secrets.js';
import type { Lookup } from './webhook-target.js';

export interface WebhookWorkerDeps {
  db: Db;
  secrets: SecretBox;
  config: WebhookConfig;
  logger: Logger;
  /** DNS for targets; the system resolver unless a test stands in for it. */
  lookup?: Lookup;
}

/** What one pass did. */
export interface PassResult {
  claimed: number;
  delivered: number;
  /** Attempts that failed (the delivery is retried later, or FAILED when its window is over). */
  failed: number;
}

// A claim outlives the longest attempt (DNS, the request's timeout, recording it) by this much;
// after it, another replica may send the delivery again (at least once).
const LEASE_MARGIN_MS = 60_000;

/**
 * Sends the outbox (README "Webhooks"). Every replica runs one: each pass claims due deliveries
 * (FOR UPDATE SKIP LOCKED, then a lease, deliveries.repository.ts), so replicas never send the same
 * delivery at once, and a replica that dies mid-send only delays its claims until their lease
 * expires. Sends are not awaited by the pass: at most WEBHOOK_CONCURRENCY run at once, at most
 * WEBHOOK_ENDPOINT_CONCURRENCY per endpoint, each within WEBHOOK_TIMEOUT_MS, so a receiver that
 * hangs or fails holds a few slots and delays nothing else.
 */
export class WebhookWorker {
  private timer: NodeJS.Timeout | null = null;
  private readonly inFlight = new Set<Promise<unknown>>();
  private claiming: Promise<unknown> | null = null;
  private stopped = false;

  constructor(private readonly deps: WebhookWorkerDeps) {}

  /** Passes every WEBHOOK_WORKER_INTERVAL_MS (none when it is 0). */
  start(): this {
    const interval = this.deps.config.workerIntervalMs;
    if (interval === 0 || this.timer) return this;
    this.timer = setInterval(() => {
      if (this.claiming || this.stopped) return;
      this.claiming = this.claimAndSend()
        .catch((error: unknown) => this.deps.logger.error({ err: error }, 'webhook worker: claiming deliveries failed; the next pass tries again'))
        .finally(() => {
          this.claiming = null;
        });
    }, interval);
    this.timer.unref();
    return this;
  }

  /** One pass on demand (tests, tools): claims what is due and waits for those sends. */
  async runOnce(): Promise<PassResult> {
    const results = await Promise.all(await this.claimAndSend());
    return {
      claimed: results.length,
      delivered: results.filter((r) => r?.succeeded).length,
      failed: results.filter((r) => r && !r.succeeded).length,
    };
  }

  /** No new claims; waits for the sends under way (each ends within WEBHOOK_TIMEOUT_MS). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.claiming;
    await Promise.allSettled([...this.inFlight]);
  }

  private async claimAndSend(): Promise<Array<Promise<AttemptOutcome | null>>> {
    const { config, db } = this.deps;
    const free = config.concurrency - this.inFlight.size;
    if (this.stopped || free <= 0) return [];
    const claimed = await claimDueDeliveries(db, {
      limit: free,
      perEndpoint: config.perEndpointConcurrency,
      leaseMs: config.requestTimeoutMs + LEASE_MARGIN_MS,
    });
    return claimed.map((delivery) => {
      const sending = this.deliver(delivery);
      this.inFlight.add(sending);
      void sending.finally(() => this.inFlight.delete(sending));
      return sending;
    });
  }

  /** One attempt, recorded; never throws (a failure to record leaves the claim to expire). */
  private async deliver(delivery: ClaimedDelivery): Promise<AttemptOutcome | null> {
    const { config, db, logger } = this.deps;
    const log = { deliveryId: delivery.id, webhookId: delivery.webhookId, attempt: delivery.attemptCount + 1 };
    try {
      const outcome = await this.attempt(delivery);
      const recorded: Recorded = await recordAttempt(
        db,
        delivery,
        outcome,
        { baseMs: config.retryBaseMs, maxDelayMs: config.retryMaxDelayMs, windowSeconds: config.retryWindowSeconds },
        { afterFailures: config.disableAfterFailures, afterHours: config.disableAfterHours },
      );
      if (outcome.succeeded) logger.debug({ ...log, statusCode: outcome.statusCode, durationMs: outcome.durationMs }, 'webhook delivered');
      else logger.info({ ...log, statusCode: outcome.statusCode, error: outcome.error, status: recorded.status }, 'webhook attempt failed');
      if (recorded.disabledEndpoint)
        logger.warn({ webhookId: delivery.webhookId }, 'webhook endpoint disabled: its attempts keep failing (enableWebhook re-enables it)');
      return outcome;
    } catch (error) {
      logger.error({ ...log, err: error }, 'webhook attempt could not be recorded; the delivery is sent again when its claim expires');
      return null;
    }
  }

  private async attempt(delivery: ClaimedDelivery): Promise<AttemptOutcome> {
    const { config, secrets, lookup } = this.deps;
    let secret: string;
    try {
      secret = openWebhookSecret(secrets, { id: delivery.webhookId, organizationId: delivery.organizationId, secretCiphertext: delivery.secretCiphertext });
    } catch {
      return {
        startedAt: new Date(),
        durationMs: 0,
        succeeded: false,
        statusCode: null,
        error: 'not sent: the signing secret cannot be decrypted with this GATEHOUSE_SECRET_KEY (every replica needs the same key)',
        responseBody: null,
      };
    }
    return sendWebhook({ id: delivery.id, url: delivery.url, secret, body: delivery.payload }, config, config.requestTimeoutMs, lookup);
  }
}
