import type { K8sConfig } from '../config.js';
import type { KubeCallError } from './kube-error.js';

/**
 * Kubernetes failures as messages an operator can act on (SPEC §5): which namespace, which verb
 * and resource, and how to grant or create what is missing.
 */
const namespaceCommand = (organizationId: number) => `gatehouse manifests namespace --org ${organizationId}`;

function fixForbidden(config: K8sConfig, organizationId: number, namespace: string): string {
  if (namespace === config.namespace) {
    return `Grant the gateway's ServiceAccount "${config.serviceAccountName}" these permissions in "${namespace}" (the chart's Role).`;
  }
  return config.rbacNamespaceIsolation
    ? `With rbac.namespaceIsolation (RBAC_NAMESPACE_ISOLATION=true) the chart's ClusterRole and ClusterRoleBinding must grant it: check they exist and bind ServiceAccount "${config.serviceAccountName}" in "${config.namespace}".`
    : `In manual mode create the RoleBinding in "${namespace}" for ServiceAccount "${config.serviceAccountName}" of "${config.namespace}" (print it with \`${namespaceCommand(organizationId)}\`), or enable rbac.namespaceIsolation.`;
}

export function forbiddenMessage(error: KubeCallError, config: K8sConfig, organizationId: number): string {
  const { verb, resource, namespace, name } = error.call;
  const where = namespace ? `in namespace "${namespace}"` : resource === 'namespaces' && name ? `"${name}" at the cluster scope` : 'at the cluster scope';
  // A namespace object is the organization's namespace itself; other cluster-scoped calls need the ClusterRole.
  const target = namespace ?? (resource === 'namespaces' && name ? name : `${config.namespace}-org-${organizationId}`);
  return `Kubernetes refused to ${verb} ${resource} ${where} (403 Forbidden): the gateway's ServiceAccount lacks that permission. ${fixForbidden(config, organizationId, target)}`;
}

export function retryableMessage(error: KubeCallError): string {
  const what = error.status === 0 ? `no answer (${error.detail || 'timeout or connection refused'})` : `${error.status} ${error.reason}`;
  return `Kubernetes did not complete ${error.call.verb} ${error.call.resource}${error.call.namespace ? ` in "${error.call.namespace}"` : ''}: ${what}. This is usually transient: redeploy to retry; nothing is duplicated.`;
}

export function kubeFailureMessage(error: KubeCallError, config: K8sConfig, organizationId: number): string {
  if (error.status === 403) return forbiddenMessage(error, config, organizationId);
  if (error.retryable) return retryableMessage(error);
  if (error.status === 404 && error.call.namespace) {
    return `Namespace "${error.call.namespace}" does not exist (${error.call.verb} ${error.call.resource} answered 404). ${config.rbacNamespaceIsolation ? 'Redeploy: the gateway creates it.' : `Create it and its RoleBinding: \`${namespaceCommand(organizationId)} | kubectl apply -f -\`.`}`;
  }
  return `Kubernetes rejected ${error.call.verb} ${error.call.resource}${error.call.name ? ` "${error.call.name}"` : ''}: ${error.status} ${error.reason}${error.detail ? `: ${error.detail}` : ''}.`;
}

export function registrySecretMissing(config: K8sConfig, secret: string): string {
  return `The registry pull secret "${secret}" does not exist in the shared namespace "${config.namespace}", so it cannot be copied into the organization's namespace. Create it there (kubectl -n ${config.namespace} create secret docker-registry ${secret} …) or set REGISTRY_SECRET_NAME to the right name.`;
}

export const NO_CLUSTER_MESSAGE =
  'Nothing was applied: no Kubernetes cluster is configured. The deployment was validated and recorded with the manifests that would be applied. ' +
  'Configure a cluster (run in-cluster, or set KUBECONFIG; KUBE_CONFIG_SOURCE selects which) and redeploy.';
