import type { K8sConfig } from '../../config.js';
import type { Executor } from '../../db/database.js';
import { K8S_NAMESPACE_ISOLATION_FLAG, listFlags } from '../feature-flags/feature-flags.repository.js';
import { listOrganizationIds } from '../organizations/organizations.repository.js';
import { listNamespaceRecords } from './namespaces.repository.js';
import type { OrganizationNamespaceRow } from './namespaces.table.js';
import { targetFor, type NamespaceTarget } from './resolve-namespace.js';

export interface OrganizationTarget extends NamespaceTarget {
  /** What the gateway recorded when it last provisioned the organization's namespace. */
  record: OrganizationNamespaceRow | undefined;
}

/**
 * Every organization's namespace from the flags and what the gateway recorded, in three queries
 * and without one cluster call per organization (SPEC §5 "operators can list every organization
 * namespace").
 */
export async function organizationTargets(db: Executor, config: K8sConfig): Promise<OrganizationTarget[]> {
  const [ids, flags, records] = await Promise.all([listOrganizationIds(db), listFlags(db), listNamespaceRecords(db)]);
  const flag = flags.find((f) => f.name === K8S_NAMESPACE_ISOLATION_FLAG);
  return ids.map((id) => ({
    ...targetFor(config, id, Boolean(flag?.enabledGlobally || flag?.organizationIds.includes(id))),
    record: records.find((r) => r.organizationId === id),
  }));
}

/**
 * The organization namespaces a support bundle collects from: where each isolated organization
 * deploys, and any organization namespace the gateway provisioned before (isolation turned off
 * since may leave automations there until they are moved). Ordered by organization.
 */
export async function isolatedNamespaces(db: Executor, config: K8sConfig): Promise<Array<{ organizationId: number; namespace: string }>> {
  const found = new Map<string, number>();
  for (const target of await organizationTargets(db, config)) {
    if (target.isolated) found.set(target.namespace, target.organizationId);
    if (target.record && target.record.mode !== 'SHARED' && target.record.namespace !== config.namespace)
      found.set(target.record.namespace, target.organizationId);
  }
  return [...found]
    .map(([namespace, organizationId]) => ({ organizationId, namespace }))
    .sort((a, b) => a.organizationId - b.organizationId || a.namespace.localeCompare(b.namespace));
}
