import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import type { K8sConfig } from '../config.js';

export interface LoadedKubeConfig {
  kubeConfig: KubeConfig;
  source: 'in-cluster' | 'kubeconfig';
}

/**
 * The client configuration (SPEC §5): the in-cluster service account when running in a pod,
 * otherwise KUBECONFIG or ~/.kube/config. Null when none is there or KUBE_CONFIG_SOURCE=off: the
 * gateway then records deploys without applying them, and says so.
 */
export function loadKubeConfig(config: K8sConfig, env: NodeJS.ProcessEnv = process.env): LoadedKubeConfig | null {
  if (config.configSource === 'off') return null;
  const inCluster = Boolean(env.KUBERNETES_SERVICE_HOST);
  if (config.configSource === 'in-cluster' || (config.configSource === 'auto' && inCluster)) {
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromCluster();
    return { kubeConfig, source: 'in-cluster' };
  }
  const file = env.KUBECONFIG ?? path.join(os.homedir(), '.kube', 'config');
  if (!fs.existsSync(file.split(path.delimiter)[0] ?? file)) {
    if (config.configSource === 'kubeconfig') throw new Error(`KUBE_CONFIG_SOURCE=kubeconfig but ${file} does not exist.`);
    return null;
  }
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromDefault();
  return { kubeConfig, source: 'kubeconfig' };
}
