import type { ServerResponse } from 'node:http';
import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import type { Logger } from 'pino';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { DENIAL_REASONS, OTHER_REASON } from './denial-reason.js';
import { DEPLOY_REASONS, type DeployFailureReason, type DeployOutcome } from './deploy-outcome.js';
import { OperationLabels } from './operation-label.js';
import { processRegistry } from './process-metrics.js';
import { requestDurationPlugin, type RequestLabel } from './request-duration-plugin.js';

/** The database pool's connections at the moment of a scrape (PostgreSQL; PGlite has no pool). */
export interface PoolStats {
  total: number;
  idle: number;
  waiting: number;
}

export interface MetricsOptions {
  poolStats?: () => PoolStats;
  /**
   * Serve prom-client's process metrics (CPU, memory, event loop, GC) too; default true. They are
   * collected once per process and shared by every Metrics instance (src/observability/process-metrics.ts).
   */
  processMetrics?: boolean;
  /** Distinct operation names that get their own series; later ones are counted as `other`. */
  operationNameLimit?: number;
  /** Where a failed scrape is reported; the scraper only learns that it failed. */
  logger?: Pick<Logger, 'error'>;
}

// An API's range: 5 ms to the default operation timeout (OPERATION_TIMEOUT_MS, 30 s).
const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/**
 * The gateway's Prometheus metrics (README "Metrics"), in a registry of their own rather than
 * prom-client's global one, so that several gateways in one process (the tests) never share or
 * clash. Every label value comes from a closed list or is bounded, never from an id or a message.
 */
export class Metrics {
  private readonly registry = new Registry();
  /** What /metrics serves: this gateway's registry and, unless disabled, the process's. */
  private readonly exposed: Registry;
  private readonly requestDuration: Histogram<RequestLabel>;
  private readonly denials: Counter<'reason'>;
  private readonly deploys: Counter<'outcome' | 'reason'>;
  private readonly operations: OperationLabels;
  private readonly spans: Counter<'outcome'>;
  private readonly truncatedValues: Counter;
  private readonly logger: Pick<Logger, 'error'> | undefined;

  constructor(options: MetricsOptions = {}) {
    const registers = [this.registry];
    const operationNameLimit = options.operationNameLimit ?? 200;
    this.operations = new OperationLabels(operationNameLimit);
    this.logger = options.logger;
    this.requestDuration = new Histogram({
      name: 'gatehouse_graphql_request_duration_seconds',
      help: `GraphQL requests from start to response, by operation name (the first ${operationNameLimit} distinct names, then "other"; "anonymous", "unknown" when none), type and outcome (error: the response carried errors).`,
      labelNames: ['operation', 'type', 'outcome'],
      buckets: DURATION_BUCKETS,
      registers,
    });
    this.denials = new Counter({
      name: 'gatehouse_authz_denials_total',
      help: 'Authorization rules that denied a field, by what was missing: feature:<feature>, permission:<permission>, forbidden, not_found, unauthenticated, rule_error, other.',
      labelNames: ['reason'],
      registers,
    });
    for (const reason of DENIAL_REASONS) this.denials.inc({ reason }, 0);
    this.deploys = new Counter({
      name: 'gatehouse_deploys_total',
      help: 'Deploys that ended, by outcome (DEPLOYED, FAILED, SUPERSEDED) and failure class (none unless FAILED).',
      labelNames: ['outcome', 'reason'],
      registers,
    });
    this.deploys.inc({ outcome: 'DEPLOYED', reason: 'none' }, 0);
    this.deploys.inc({ outcome: 'SUPERSEDED', reason: 'none' }, 0);
    for (const reason of DEPLOY_REASONS) if (reason !== 'none') this.deploys.inc({ outcome: 'FAILED', reason }, 0);
    this.spans = new Counter({
      name: 'gatehouse_otlp_spans_total',
      help: 'Spans received on /v1/traces, by outcome: stored, duplicate (already stored: an exporter retry), rejected (partial success).',
      labelNames: ['outcome'],
      registers,
    });
    for (const outcome of ['stored', 'duplicate', 'rejected']) this.spans.inc({ outcome }, 0);
    this.truncatedValues = new Counter({
      name: 'gatehouse_otlp_truncated_values_total',
      help: 'Attribute values cut to OTLP_ATTRIBUTE_VALUE_LENGTH_LIMIT on /v1/traces.',
      registers,
    });
    const poolStats = options.poolStats;
    if (poolStats) {
      new Gauge({
        name: 'gatehouse_db_pool_connections',
        help: 'PostgreSQL pool connections at scrape time: total open, idle, and queries waiting for one (absent with embedded PGlite).',
        labelNames: ['state'],
        registers,
        collect() {
          const stats = poolStats();
          this.set({ state: 'total' }, stats.total);
          this.set({ state: 'idle' }, stats.idle);
          this.set({ state: 'waiting' }, stats.waiting);
        },
      });
    }
    this.exposed = options.processMetrics === false ? this.registry : Registry.merge([this.registry, processRegistry()]);
  }

  /**
   * Apollo plugin: request latency by operation name. Each Apollo Server of the gateway gets one;
   * all of them record into this instance's histogram.
   */
  plugin<TContext extends BaseContext>(): ApolloServerPlugin<TContext> {
    return requestDurationPlugin<TContext>(this.requestDuration, this.operations);
  }

  /** An authorization denial; `reason` from src/observability/denial-reason.ts (anything else counts as `other`). */
  authzDenied(reason: string): void {
    this.denials.inc({ reason: DENIAL_REASONS.has(reason) ? reason : OTHER_REASON });
  }

  /** A deploy ended; `reason` classifies a failure (unclassified failures count as `internal`). */
  deployFinished(outcome: DeployOutcome, reason?: DeployFailureReason): void {
    this.deploys.inc({ outcome, reason: outcome === 'FAILED' ? (reason ?? 'internal') : 'none' });
  }

  /** One trace export's spans, by what became of them. */
  spansIngested(counts: { stored: number; duplicate: number; rejected: number; truncatedValues: number }): void {
    this.spans.inc({ outcome: 'stored' }, counts.stored);
    this.spans.inc({ outcome: 'duplicate' }, counts.duplicate);
    this.spans.inc({ outcome: 'rejected' }, counts.rejected);
    this.truncatedValues.inc(counts.truncatedValues);
  }

  /** GET /metrics: the Prometheus text format; a failed collection is a bare 500, its cause logged. */
  async serve(res: ServerResponse): Promise<void> {
    let text: string;
    try {
      text = await this.exposed.metrics();
    } catch (error) {
      this.logger?.error({ err: error }, 'metrics collection failed');
      res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end('metrics collection failed\n');
      return;
    }
    res.writeHead(200, { 'content-type': this.exposed.contentType }).end(text);
  }
}
