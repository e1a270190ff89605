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
}
