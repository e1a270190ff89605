import type { K8sConfig } from '../config.js';
import type { Cluster } from './cluster.js';
import { loadKubeConfig, type KubeConfigSource } from './kube-config.js';

export interface OpenedCluster {
  cluster: Cluster;
  source: KubeConfigSource;
}

/**
 * The Cluster of the configured Kubernetes API, or null when none is configured (loadKubeConfig).
 * The Cluster's module, and with it @kubernetes/client-node, is imported only when there is one:
 * whatever else the server loads names the Cluster by type only (`import type`), so a gateway
 * without a cluster never loads the client (test/operations/lazy-start.test.ts).
 */
export async function openCluster(config: K8sConfig, env: NodeJS.ProcessEnv = process.env): Promise<OpenedCluster | null> {
  const kube = await loadKubeConfig(config, env);
  if (!kube) return null;
  const { Cluster } = await import('./cluster.js');
  return { cluster: new Cluster(kube.kubeConfig, config.requestTimeoutMs), source: kube.source };
}
