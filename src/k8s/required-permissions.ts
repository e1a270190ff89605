/**
 * What a deploy does inside an organization namespace, as RBAC rules: the manual-mode RoleBinding
 * must grant exactly these (SPEC §5), and manual-mode verification asks for each of them.
 */
export interface PermissionRule {
  apiGroup: '' | 'apps';
  resource: 'secrets' | 'deployments' | 'services';
  verbs: readonly ('get' | 'create' | 'update' | 'delete')[];
}

export const NAMESPACE_PERMISSIONS: readonly PermissionRule[] = [
  { apiGroup: '', resource: 'secrets', verbs: ['get', 'create', 'update', 'delete'] },
  { apiGroup: 'apps', resource: 'deployments', verbs: ['get', 'create', 'update', 'delete'] },
  { apiGroup: '', resource: 'services', verbs: ['get', 'create', 'update', 'delete'] },
];

/** Cluster-scoped permissions automatic mode adds (`rbac.namespaceIsolation: true`). */
export const CLUSTER_PERMISSIONS = [{ apiGroup: '', resource: 'namespaces', verbs: ['get', 'create'] }] as const;
