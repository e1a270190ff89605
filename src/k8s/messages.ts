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

/** `create namespaces "crewai-org-7"`, `update secrets "x" in "crewai"`: the call, with the namespace it concerns. */
function callText(call: KubeCallError['call']): string {
  return `${call.verb} ${call.resource}${call.name ? ` "${call.name}"` : ''}${call.namespace ? ` in "${call.namespace}"` : ''}`;
}

export function retryableMessage(error: KubeCallError): string {
  const what = error.status === 0 ? `no answer (${error.detail || 'timeout or connection refused'})` : `${error.status} ${error.reason}`;
  const advice =
    error.status === 409
      ? 'Another writer kept changing the object at the same time: redeploy to retry; nothing is duplicated.'
      : 'This is usually transient: redeploy to retry; nothing is duplicated.';
  return `Kubernetes did not complete ${callText(error.call)}: ${what}. ${advice}`;
}

/**
 * The shared namespace (K8S_NAMESPACE) is the operator's: the gateway runs there or beside it and
 * never creates it, so "redeploy" cannot help until someone does.
 */
export function sharedNamespaceMissing(config: K8sConfig, how = `get namespaces "${config.namespace}" answered 404`): string {
  return (
    `The shared namespace "${config.namespace}" (K8S_NAMESPACE) does not exist (${how}). The gateway never creates it: ` +
    `create it (\`kubectl create namespace ${config.namespace}\`) and the gateway's ServiceAccount "${config.serviceAccountName}", Role and RoleBinding in it (\`gatehouse manifests | kubectl apply -f -\`), ` +
    `or set K8S_NAMESPACE to the namespace the gateway runs in; then redeploy.`
  );
}

export function kubeFailureMessage(error: KubeCallError, config: K8sConfig, organizationId: number): string {
  if (error.status === 403) return forbiddenMessage(error, config, organizationId);
  if (error.retryable) return retryableMessage(error);
  if (error.status === 404 && error.call.namespace === config.namespace) return sharedNamespaceMissing(config, `${callText(error.call)} answered 404`);
  if (error.status === 404 && error.call.namespace) {
    return `Namespace "${error.call.namespace}" does not exist (${error.call.verb} ${error.call.resource} answered 404). ${config.rbacNamespaceIsolation ? 'Redeploy: the gateway creates it.' : `Create it and its RoleBinding: \`${namespaceCommand(organizationId)} | kubectl apply -f -\`.`}`;
  }
  return `Kubernetes rejected ${callText(error.call)}: ${error.status} ${error.reason}${error.detail ? `: ${error.detail}` : ''}. Fix what it names (RUNNER_IMAGE, the automation's env vars), then redeploy.`;
}

export function registrySecretMissing(config: K8sConfig, secret: string, namespace: string): string {
  return `The registry pull secret "${secret}" does not exist in the shared namespace "${config.namespace}" (get secrets "${secret}" in "${config.namespace}" answered 404), so it cannot be copied into the organization's namespace "${namespace}". Create it there (kubectl -n ${config.namespace} create secret docker-registry ${secret} …) or set REGISTRY_SECRET_NAME to the right name; then redeploy.`;
}

export const NO_CLUSTER_MESSAGE =
  'Nothing was applied: no Kubernetes cluster is configured. The deployment was validated and recorded with the manifests that would be applied. ' +
  'Configure a cluster (run in-cluster, or set KUBECONFIG; KUBE_CONFIG_SOURCE selects which) and redeploy.';
