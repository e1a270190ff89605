import type { V1ClusterRole, V1ClusterRoleBinding, V1Namespace, V1PolicyRule, V1Role, V1RoleBinding, RbacV1Subject } from '@kubernetes/client-node';
import type { K8sConfig } from '../config.js';
import { MANAGED_BY, ORGANIZATION_LABEL } from './labels.js';
import { namespaceManifest } from './manifests.js';
import { CLUSTER_PERMISSIONS, NAMESPACE_PERMISSIONS } from './required-permissions.js';

/**
 * RBAC for the gateway's own ServiceAccount (issue 6 item 8), derived from required-permissions.ts,
 * the single source of truth for what a deploy does: the manifests follow it when it changes.
 */

interface Rule {
  apiGroup: string;
  resource: string;
  verbs: readonly string[];
}

/** Labels of the gateway's own objects (not those it creates for organizations). */
export const GATEWAY_LABELS = { 'app.kubernetes.io/name': 'gatehouse', 'app.kubernetes.io/component': 'gateway' } as const;
/** Name of the Role (and RoleBinding) in the shared namespace and in each manual-mode organization namespace. */
export const NAMESPACE_ROLE_NAME = 'gatehouse-deployer';

export function policyRules(rules: readonly Rule[]): V1PolicyRule[] {
  return rules.map((rule) => ({ apiGroups: [rule.apiGroup], resources: [rule.resource], verbs: [...rule.verbs] }));
}

export function gatewaySubject(config: K8sConfig): RbacV1Subject {
  return { kind: 'ServiceAccount', name: config.serviceAccountName, namespace: config.namespace };
}

/** Cluster-scoped names must not collide between two installations in different namespaces. */
export const clusterRoleName = (config: K8sConfig) => `gatehouse-${config.namespace}-namespace-isolation`;

/** A Role with exactly what a deploy needs in `namespace`, and its RoleBinding to the gateway's ServiceAccount. */
export function deployerRole(config: K8sConfig, namespace: string, labels: Record<string, string>): [V1Role, V1RoleBinding] {
  const metadata = { name: NAMESPACE_ROLE_NAME, namespace, labels };
  return [
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata, rules: policyRules(NAMESPACE_PERMISSIONS) },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata,
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: NAMESPACE_ROLE_NAME },
      subjects: [gatewaySubject(config)],
    },
  ];
}

/**
 * Automatic mode (`rbac.namespaceIsolation: true`): create organization namespaces, and deploy
 * into any of them. Nothing of this is printed in manual mode.
 */
export function clusterRbac(config: K8sConfig): [V1ClusterRole, V1ClusterRoleBinding] {
  const metadata = { name: clusterRoleName(config), labels: { ...GATEWAY_LABELS } };
  return [
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata, rules: policyRules([...CLUSTER_PERMISSIONS, ...NAMESPACE_PERMISSIONS]) },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata,
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: clusterRoleName(config) },
      subjects: [gatewaySubject(config)],
    },
  ];
}

export const organizationNamespace = (config: K8sConfig, organizationId: number) => `${config.namespace}-org-${organizationId}`;

/**
 * `gatehouse manifests namespace --org ID`: what an operator applies by hand in manual mode for one
 * organization: its Namespace (labelled as the gateway would), and the Role and RoleBinding that
 * grant the gateway's ServiceAccount exactly NAMESPACE_PERMISSIONS there.
 */
export function organizationNamespaceManifests(config: K8sConfig, organizationId: number): [V1Namespace, V1Role, V1RoleBinding] {
  const namespace = organizationNamespace(config, organizationId);
  const labels = { ...MANAGED_BY, [ORGANIZATION_LABEL]: String(organizationId) };
  return [namespaceManifest(namespace, organizationId), ...deployerRole(config, namespace, labels)];
}
