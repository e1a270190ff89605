import type { K8sConfig } from '../config.js';
import type { Cluster } from './cluster.js';
import { KubeCallError } from './kube-error.js';
import { kubeFailureMessage, sharedNamespaceMissing } from './messages.js';
import { ProvisionError, verifyManualNamespace } from './provision-namespace.js';

export interface NamespaceStatus {
  ready: boolean;
  message: string | null;
}

/**
 * Whether a namespace is ready for deploys, checked against the cluster without changing it
 * (SPEC §5 admin view): it exists (automatic mode) or the binding grants every verb a deploy needs
 * (manual mode), and it holds the registry secret.
 */
export async function namespaceStatus(
  cluster: Cluster | null,
  config: K8sConfig,
  organizationId: number,
  namespace: string,
  isolated: boolean,
): Promise<NamespaceStatus> {
  if (!cluster) return { ready: false, message: 'No Kubernetes cluster is configured: set KUBECONFIG or run in-cluster (KUBE_CONFIG_SOURCE).' };
  try {
    if (!isolated || config.rbacNamespaceIsolation) {
      if (!(await cluster.readNamespace(namespace))) {
        return {
          ready: false,
          message: isolated ? `Namespace "${namespace}" does not exist yet; the first deploy creates it.` : sharedNamespaceMissing(config),
        };
      }
    } else {
      await verifyManualNamespace(cluster, config, organizationId, namespace);
    }
    if (isolated && config.registrySecretName && !(await cluster.readSecret(namespace, config.registrySecretName))) {
      return { ready: false, message: `The registry secret "${config.registrySecretName}" is not in "${namespace}" yet; the next deploy copies it.` };
    }
    return { ready: true, message: null };
  } catch (error) {
    if (error instanceof ProvisionError) return { ready: false, message: error.message };
    if (error instanceof KubeCallError) return { ready: false, message: kubeFailureMessage(error, config, organizationId) };
    throw error;
  }
}

/**
 * Whether the shared namespace (K8S_NAMESPACE) exists, for /readyz and the operators' namespace
 * view: `unknown` when the gateway may not read Namespace objects (manual mode grants only a Role
 * inside namespaces) or the API did not answer.
 */
export async function sharedNamespacePresence(cluster: Cluster, config: K8sConfig): Promise<'present' | 'missing' | 'unknown'> {
  try {
    return (await cluster.readNamespace(config.namespace)) ? 'present' : 'missing';
  } catch (error) {
    if (error instanceof KubeCallError) return 'unknown';
    throw error;
  }
}
