import type { K8sConfig } from '../../config.js';
import type { Executor } from '../../db/database.js';
import { isFlagOn, K8S_NAMESPACE_ISOLATION_FLAG } from '../feature-flags/feature-flags.repository.js';
import type { NamespaceMode } from './namespaces.table.js';

export interface NamespaceTarget {
  organizationId: number;
  namespace: string;
  expectedNamespace: string;
  isolated: boolean;
  mode: NamespaceMode;
}

export const isolatedNamespace = (config: K8sConfig, organizationId: number) => `${config.namespace}-org-${organizationId}`;

/**
 * SPEC §5 "Resolution": `{K8S_NAMESPACE}-org-{id}` when k8s_namespace_isolation is on for the
 * organization (globally or for it), `K8S_NAMESPACE` otherwise.
 */
export function targetFor(config: K8sConfig, organizationId: number, isolated: boolean): NamespaceTarget {
  const expectedNamespace = isolatedNamespace(config, organizationId);
  return {
    organizationId,
    expectedNamespace,
    isolated,
    namespace: isolated ? expectedNamespace : config.namespace,
    mode: !isolated ? 'SHARED' : config.rbacNamespaceIsolation ? 'AUTOMATIC' : 'MANUAL',
  };
}

export async function resolveNamespace(db: Executor, config: K8sConfig, organizationId: number): Promise<NamespaceTarget> {
  return targetFor(config, organizationId, await isFlagOn(db, K8S_NAMESPACE_ISOLATION_FLAG, organizationId));
}
