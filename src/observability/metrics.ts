import type { ServerResponse } from 'node:http';
import type { ApolloServerPlugin } from '@apollo/server';

// PLACEHOLDER (issue 6, metrics): replaced by prom-client metrics.

export interface PoolStats {
  total: number;
  idle: number;
  waiting: number;
}

export class Metrics {
  constructor(_options: { poolStats?: () => PoolStats } = {}) {}

  /** Apollo plugin: request latency by operation name. */
  plugin<TContext extends object>(): ApolloServerPlugin<TContext> {
    return {};
  }

  /** An authorization denial; `reason` is the feature or entity permission that was missing. */
  authzDenied(_reason: string): void {}

  deployFinished(_outcome: 'DEPLOYED' | 'FAILED'): void {}

  async serve(res: ServerResponse): Promise<void> {
    res.writeHead(404).end();
  }
}
