import crypto from 'node:crypto';
import type { Logger } from 'pino';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import type { IngestConfig, RateLimitConfig, UploadConfig } from '../config.js';
import { FixedWindow, type LimitName, type Refusal } from './rate-limit/fixed-window.js';

export { clientAddress } from './rate-limit/client-address.js';

// Implements issue 6 point 6, README "Rate limits": requests per API token or JWT and per client
// address, in fixed windows; in Redis when REDIS_URL is set, so that replicas share the counts.

export type RateLimitDecision = { allowed: true } | Refusal;

export interface RateLimiter {
  /** Counts one request against its address and, when it carries one, its credential. */
  consume(request: { address: string; credential: string | undefined }): Promise<RateLimitDecision>;
  /** Counts an export's spans against its deployment (SPEC §7: ingest is bounded in rate). */
  consumeSpans(deploymentId: string, spans: number): Promise<RateLimitDecision>;
  /** Counts one upload against its credential and the organization it uploads to (issue 15 §2). */
  consumeUpload(request: { credential: string; organizationId: number }): Promise<RateLimitDecision>;
  close(): Promise<void>;
}

type UploadRates = Pick<UploadConfig, 'ratePerToken' | 'ratePerOrganization' | 'rateWindowSeconds'>;

const digest = (credential: string) => crypto.createHash('sha256').update(credential).digest('hex');

/** When several limits refuse, the longer wait: retrying after the shorter would only meet another. */
function longestRefusal(refusals: (Refusal | undefined)[]): RateLimitDecision {
  return refusals.reduce<RateLimitDecision>(
    (longest, refusal) => (refusal === undefined || (!longest.allowed && refusal.retryAfterSeconds <= longest.retryAfterSeconds) ? longest : refusal),
    { allowed: true },
  );
}

export function createRateLimiter(
  config: RateLimitConfig,
  logger: Logger,
  ingest?: Pick<IngestConfig, 'rateLimitSpans' | 'rateLimitWindowSeconds'>,
  uploads?: UploadRates,
): RateLimiter {
  // ioredis is loaded only when REDIS_URL is set (50 ms of every start otherwise; issue 16 §5).
  // Requests wait for the first connection attempt, so that the first ones after a start are
  // counted where all later ones are (RedisCounters.firstAttempt).
  const url = config.redisUrl;
  const redis = url ? import('./rate-limit/redis-counters.js').then(({ RedisCounters }) => new RedisCounters(url, logger)) : undefined;
  let counterErrorLogged = false;
  const windows = async (): Promise<Windows> => {
    const counters = await redis;
    await counters?.firstAttempt;
    const window = (name: LimitName, kind: string, max: number, windowSeconds = config.windowSeconds): FixedWindow | undefined => {
      if (max === 0) return undefined;
      const options = { keyPrefix: `${config.redisKeyPrefix}${kind}`, points: max, duration: windowSeconds };
      return new FixedWindow(name, max, windowSeconds, counters ? counters.counter(options) : new RateLimiterMemory(options), (error) => {
        // Counting is a guard, not the service: a counter that fails lets requests through.
        if (counterErrorLogged) return;
        counterErrorLogged = true;
        logger.error({ err: error }, 'Rate limits: a counter failed; requests are let through uncounted. Report this with the error.');
      });
    };
    return {
      perToken: window('perToken', 'token', config.perToken),
      perAddress: window('perAddress', 'address', config.perAddress),
      spansPerDeployment: ingest ? window('spansPerDeployment', 'spans', ingest.rateLimitSpans, ingest.rateLimitWindowSeconds) : undefined,
      uploadsPerToken: uploads ? window('uploadsPerToken', 'upload-token', uploads.ratePerToken, uploads.rateWindowSeconds) : undefined,
      uploadsPerOrganization: uploads ? window('uploadsPerOrganization', 'upload-org', uploads.ratePerOrganization, uploads.rateWindowSeconds) : undefined,
    };
  };
  const ready = windows();

  return {
    async consume({ address, credential }) {
      const { perToken, perAddress } = await ready;
      const hits: Promise<Refusal | undefined>[] = [];
      // The key is a digest of the whole header: a token must never sit in Redis, a log or a dump.
      if (perToken && credential) hits.push(perToken.hit(digest(credential)));
      if (perAddress) hits.push(perAddress.hit(address));
      return longestRefusal(await Promise.all(hits));
    },
    async consumeSpans(deploymentId, spans) {
      const { spansPerDeployment } = await ready;
      if (!spansPerDeployment || spans === 0) return { allowed: true };
      return (await spansPerDeployment.hit(deploymentId, spans)) ?? { allowed: true };
    },
    async consumeUpload({ credential, organizationId }) {
      const { uploadsPerToken, uploadsPerOrganization } = await ready;
      if (!uploadsPerToken && !uploadsPerOrganization) return { allowed: true };
      return longestRefusal(await Promise.all([uploadsPerToken?.hit(digest(credential)), uploadsPerOrganization?.hit(String(organizationId))]));
    },
    close: async () => (await redis)?.close(),
  };
}

interface Windows {
  perToken: FixedWindow | undefined;
  perAddress: FixedWindow | undefined;
  spansPerDeployment: FixedWindow | undefined;
  uploadsPerToken: FixedWindow | undefined;
  uploadsPerOrganization: FixedWindow | undefined;
}
