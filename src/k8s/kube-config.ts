import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import type { K8sConfig } from '../config.js';

export type KubeConfigSource = 'in-cluster' | 'kubeconfig';

export interface LoadedKubeConfig {
  kubeConfig: KubeConfig;
  source: KubeConfigSource;
}

/**
 * Which client configuration applies (SPEC §5): the in-cluster service account when running in a
 * pod, otherwise KUBECONFIG or ~/.kube/config. Null when none is there or KUBE_CONFIG_SOURCE=off:
 * the gateway then records deploys without applying them, and says so. Decided from the
 * environment and the file system alone, without loading the client.
 */
export function kubeConfigSource(config: K8sConfig, env: NodeJS.ProcessEnv = process.env): KubeConfigSource | null {
  if (config.configSource === 'off') return null;
  const inCluster = Boolean(env.KUBERNETES_SERVICE_HOST);
  if (config.configSource === 'in-cluster' || (config.configSource === 'auto' && inCluster)) return 'in-cluster';
  const file = env.KUBECONFIG ?? path.join(os.homedir(), '.kube', 'config');
  if (!fs.existsSync(file.split(path.delimiter)[0] ?? file)) {
    if (config.configSource === 'kubeconfig') throw new Error(`KUBE_CONFIG_SOURCE=kubeconfig but ${file} does not exist.`);
    return null;
  }
  return 'kubeconfig';
}

/**
 * The client configuration of kubeConfigSource, or null when there is none. @kubernetes/client-node
 * is imported here, only then: loading it takes about half a second, which a gateway without a
 * cluster should not spend on every start (issue 16 §5).
 */
export async function loadKubeConfig(config: K8sConfig, env: NodeJS.ProcessEnv = process.env): Promise<LoadedKubeConfig | null> {
  const source = kubeConfigSource(config, env);
  if (!source) return null;
  const { KubeConfig } = await import('@kubernetes/client-node');
  const kubeConfig = new KubeConfig();
  if (source === 'in-cluster') kubeConfig.loadFromCluster();
  else kubeConfig.loadFromDefault();
  return { kubeConfig, source };
}
