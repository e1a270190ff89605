import type { IncomingMessage } from 'node:http';
import type { Logger } from 'pino';
import type { RateLimitConfig } from '../config.js';

// PLACEHOLDER (issue 6, rate limits): replaced by the in-process and Redis limiters.

export type RateLimitDecision =
  | { allowed: true }
  | { allowed: false; limit: 'perToken' | 'perAddress'; max: number; windowSeconds: number; retryAfterSeconds: number };

export interface RateLimiter {
  /** Counts one request against its address and, when it carries one, its credential. */
  consume(request: { address: string; credential: string | undefined }): Promise<RateLimitDecision>;
  close(): Promise<void>;
}

export function createRateLimiter(_config: RateLimitConfig, _logger: Logger): RateLimiter {
  return { consume: async () => ({ allowed: true }), close: async () => {} };
}

export function clientAddress(req: IncomingMessage, _trustedProxyHops: number): string {
  return req.socket.remoteAddress ?? 'unknown';
}
