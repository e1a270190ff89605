import { sql } from 'kysely';
import type { K8sConfig } from '../../config.js';
import type { Db } from '../../db/database.js';
import type { Cluster } from '../../k8s/cluster.js';
import { provisionNamespace } from '../../k8s/provision-namespace.js';
import { findNamespaceRecord, markNamespaceReady } from './namespaces.repository.js';
import type { NamespaceTarget } from './resolve-namespace.js';
import { inTransaction } from '../../db/transaction.js';

// pg_advisory_xact_lock(class, key): one lock per organization, shared by every gateway process.
const NAMESPACE_LOCK_CLASS = 0x67_68_6e_73; // "ghns"

/**
 * Makes the organization's namespace ready exactly once (SPEC §5 "concurrent first deploys create
 * the namespace once and all succeed"): deploys of one organization serialize on a PostgreSQL
 * advisory lock, from any number of gateway processes; the first provisions and records the
 * namespace as ready, the others find the record and make no Kubernetes call at all.
 */
export async function ensureNamespace(db: Db, cluster: Cluster, config: K8sConfig, target: NamespaceTarget): Promise<void> {
  if (!target.isolated) return;
  await inTransaction(db, async (trx) => {
    await sql`select pg_advisory_xact_lock(${NAMESPACE_LOCK_CLASS}, ${target.organizationId})`.execute(trx);
    const record = await findNamespaceRecord(trx, target.organizationId);
    if (record?.readyAt && record.namespace === target.namespace && record.mode === target.mode) return;
    await provisionNamespace(cluster, config, target.organizationId, target.namespace);
    await markNamespaceReady(trx, target.organizationId, target.namespace, target.mode);
  });
}
