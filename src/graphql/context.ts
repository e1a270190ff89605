import type { Logger } from 'pino';
import type { Authz } from '../authz/authz.js';
import type { Config } from '../config.js';
import type { SecretBox } from '../crypto/secret-box.js';
import type { Db } from '../db/database.js';
import type { Cluster } from '../k8s/cluster.js';
import type { Metrics } from '../observability/metrics.js';
import type { Loaders } from './loaders.js';

/** Everything a resolver or rule may use, built once per request. */
export interface GraphQLContext {
  requestId: string;
  db: Db;
  authz: Authz;
  loaders: Loaders;
  secrets: SecretBox;
  config: Config;
  logger: Logger;
  /** The Kubernetes cluster, or null when none is configured (deploys are then recorded, not applied). */
  cluster: Cluster | null;
  /** Prometheus metrics of this gateway (authorization denials, deploy outcomes). */
  metrics: Metrics;
  /** Deploys this gateway is applying, recorded as interrupted if a shutdown cuts them short. */
  deploys: DeployTurns;
  /**
   * Set inside an audited mutation's transaction (src/modules/audit): runs `work` once the change
   * and its audit entry have committed, with the request's own context, and makes its result the
   * field's. For work that must not hold a database connection, such as Kubernetes calls.
   */
  afterCommit?: (work: (ctx: GraphQLContext) => Promise<unknown>) => void;
}

/**
 * What a resolver asks of the deploys in flight: a turn among its organization's deploys. The
 * gateway passes its InFlightDeploys (src/modules/deployments/in-flight-deploys.ts); the context
 * names only this, since the modules that build on the context cannot be below it.
 */
export interface DeployTurns {
  track<T>(deployment: { id: string; organizationId: number }, work: () => Promise<T>): Promise<T>;
}
