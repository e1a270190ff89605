import { setTimeout as sleep } from 'node:timers/promises';
import type { K8sConfig } from '../../config.js';
import type { Db } from '../../db/database.js';
import type { Cluster } from '../../k8s/cluster.js';
import { ProvisionError, provisionNamespace } from '../../k8s/provision-namespace.js';
import { claimNamespaceProvisioning, findNamespaceRecord, markNamespaceReady, releaseNamespaceProvisioning } from './namespaces.repository.js';
import type { NamespaceTarget } from './resolve-namespace.js';

// Provisioning makes a handful of calls (read and create the namespace, or the access reviews of
// manual mode; read and copy the registry secret), each bounded by K8S_REQUEST_TIMEOUT_MS. The
// lease outlasts them all, so it only runs out when its holder died.
const CALLS_PER_PROVISIONING = 8;
const FIRST_WAIT_MS = 50;
const LONGEST_WAIT_MS = 1_000;

/** Per gateway (one database handle each): the provisioning this process is doing, by namespace. */
const provisioning = new WeakMap<Db, Map<string, Promise<void>>>();

/**
 * Makes the organization's namespace ready exactly once (SPEC §5 "concurrent first deploys create
 * the namespace once and all succeed"), without holding a database connection or transaction
 * while Kubernetes answers:
 * - within a process, concurrent deploys of one organization share one provisioning;
 * - across processes, a lease row (one short statement) picks the replica that provisions; the
 *   others poll the record, holding nothing in between, until it is ready or the lease ran out.
 * A failure ends every deploy that waited on it, with the same message, and frees the lease.
 */
export function ensureNamespace(db: Db, cluster: Cluster, config: K8sConfig, target: NamespaceTarget): Promise<void> {
  if (!target.isolated) return Promise.resolve();
  let running = provisioning.get(db);
  if (!running) provisioning.set(db, (running = new Map()));
  const key = `${target.organizationId}/${target.namespace}/${target.mode}`;
  const shared = running.get(key);
  if (shared) return shared;
  const work = provisionOnce(db, cluster, config, target).finally(() => running.delete(key));
  running.set(key, work);
  return work;
}

async function provisionOnce(db: Db, cluster: Cluster, config: K8sConfig, target: NamespaceTarget): Promise<void> {
  const { organizationId, namespace, mode } = target;
  const leaseMs = config.requestTimeoutMs * CALLS_PER_PROVISIONING;
  const giveUpAt = Date.now() + leaseMs + config.requestTimeoutMs;
  for (let wait = FIRST_WAIT_MS; ; wait = Math.min(wait * 2, LONGEST_WAIT_MS)) {
    const record = await findNamespaceRecord(db, organizationId);
    if (record?.readyAt && record.namespace === namespace && record.mode === mode) return;
    if (await claimNamespaceProvisioning(db, organizationId, namespace, mode, leaseMs)) {
      try {
        await provisionNamespace(cluster, config, organizationId, namespace);
      } catch (error) {
        await releaseNamespaceProvisioning(db, organizationId);
        throw error;
      }
      await markNamespaceReady(db, organizationId, namespace, mode);
      return;
    }
    if (Date.now() >= giveUpAt) {
      throw new ProvisionError(
        `Namespace "${namespace}" is being provisioned by another gateway replica (get and create namespaces, copy the registry secret), which has not finished within ${Math.round(leaseMs / 1000)} s. Redeploy to retry; if this repeats, that replica's log has the cause ("deploy failed").`,
        true,
      );
    }
    await sleep(wait + Math.floor(Math.random() * wait));
  }
}
