import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { Authz } from '../authz/authz.js';
import type { Config } from '../config.js';
import type { SecretBox } from '../crypto/secret-box.js';
import type { Db } from '../db/database.js';
import { createLoaders } from '../graphql/loaders.js';
import type { Cluster } from '../k8s/cluster.js';
import { openCluster } from '../k8s/open-cluster.js';
import { supportBundle } from '../k8s/support-bundle.js';
import { InFlightDeploys } from '../modules/deployments/in-flight-deploys.js';
import { migrateOrganization, type MigrationSummary } from '../modules/deployments/migrate-organization.js';
import { isolatedNamespaces } from '../modules/namespaces/organization-namespaces.js';
import { findOrganizationsByIds } from '../modules/organizations/organizations.repository.js';
import { Metrics } from '../observability/metrics.js';
import { CliError } from './cli-error.js';
import { toYaml } from './manifests-commands.js';

/**
 * `gatehouse manifests support-bundle`: the troubleshoot.sh SupportBundle of the shared namespace
 * and every organization namespace the database knows of (src/k8s/support-bundle.ts).
 */
export async function supportBundleYaml(db: Db, config: Config): Promise<string> {
  return toYaml([supportBundle(config.k8s, await isolatedNamespaces(db, config.k8s))]);
}

export interface MigrateDeps {
  db: Db;
  secrets: SecretBox;
  config: Config;
  logger: Logger;
  cluster: Cluster;
}

/**
 * The move itself, with the cluster given (the tests give the Kubernetes API stand-in). The deploys
 * run as the server's do, with a context of their own: no caller, so nothing is checked for one
 * (src/modules/deployments/version-plan.ts), and the versions record no deployer.
 */
export async function migrateNamespaces(deps: MigrateDeps, organizationId: number, progress: (line: string) => void): Promise<MigrationSummary> {
  const [organization] = await findOrganizationsByIds(deps.db, [organizationId]);
  if (!organization) throw new CliError(`Organization ${organizationId} does not exist.`);
  const ctx = {
    requestId: `cli-${randomUUID()}`,
    db: deps.db,
    authz: Authz.anonymous(),
    loaders: createLoaders(deps.db),
    secrets: deps.secrets,
    config: deps.config,
    logger: deps.logger,
    cluster: deps.cluster,
    metrics: new Metrics({ processMetrics: false }),
    deploys: new InFlightDeploys(deps.config.k8s.deploysPerOrganization),
  };
  return migrateOrganization(ctx, organizationId, progress);
}

/** `gatehouse namespaces migrate --org ID`: progress on stderr, the summary as the result; exit 1 when an automation was not moved. */
export async function namespacesMigrate(db: Db, secrets: SecretBox, config: Config, logger: Logger, organizationId: number): Promise<MigrationSummary> {
  const kube = await openCluster(config.k8s);
  if (!kube) {
    throw new Error(
      'No Kubernetes cluster is configured, so nothing can be moved: set KUBECONFIG (or run in the cluster; KUBE_CONFIG_SOURCE selects which) and run this again.',
    );
  }
  const summary = await migrateNamespaces({ db, secrets, config, logger, cluster: kube.cluster }, organizationId, (line) => process.stderr.write(`${line}\n`));
  if (summary.failed > 0) process.exitCode = 1;
  return summary;
}
