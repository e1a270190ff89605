import type { Logger } from 'pino';
import { Cluster } from '../../src/k8s/cluster.js';
import { K8S_NAMESPACE_ISOLATION_FLAG, setFlag } from '../../src/modules/feature-flags/feature-flags.repository.js';
import { connectRepo } from './automation-fixtures.js';
import { createOrg, type OrgFixture } from './fixtures.js';
import { startTestGateway, type TestGateway } from './harness.js';
import { startKubeStub, type KubeStub } from './kube-stub/index.js';

export const SHARED_NAMESPACE = 'crewai';
export const REGISTRY_SECRET = 'regcred';
export const DOCKER_CONFIG = Buffer.from('{"auths":{"registry.example.test":{"auth":"dXNlcjpwYXNz"}}}').toString('base64');

export interface ClusterEnv {
  stub: KubeStub;
  gw: TestGateway;
  cluster: Cluster;
  close(): Promise<void>;
}

/**
 * The gateway wired to the Kubernetes API stand-in: the shared namespace with the registry secret
 * exists; `mode` picks rbac.namespaceIsolation (automatic: the cluster-wide role is granted).
 */
export async function startClusterEnv(mode: 'automatic' | 'manual', env: Record<string, string> = {}, options: { logger?: Logger } = {}): Promise<ClusterEnv> {
  const stub = await startKubeStub();
  stub.seedNamespace(SHARED_NAMESPACE);
  stub.seedSecret(SHARED_NAMESPACE, REGISTRY_SECRET, 'kubernetes.io/dockerconfigjson', { '.dockerconfigjson': DOCKER_CONFIG });
  stub.bindInNamespace(SHARED_NAMESPACE, [{ verbs: ['get', 'list', 'create', 'update', 'delete'], resources: ['secrets', 'deployments', 'services'] }]);
  if (mode === 'automatic') stub.grantClusterWide();
  const cluster = new Cluster(stub.kubeConfig(), Number(env.K8S_REQUEST_TIMEOUT_MS ?? 2000));
  const gw = await startTestGateway(
    { K8S_NAMESPACE: SHARED_NAMESPACE, RBAC_NAMESPACE_ISOLATION: String(mode === 'automatic'), REGISTRY_SECRET_NAME: REGISTRY_SECRET, ...env },
    { cluster, ...options },
  );
  return {
    stub,
    gw,
    cluster,
    close: async () => {
      await gw.close();
      await stub.close();
    },
  };
}

/** A new organization with namespace isolation on, and a connected repository. */
export async function isolatedOrg(gw: TestGateway): Promise<OrgFixture & { repo: string; namespace: string }> {
  const org = await createOrg(gw);
  await setFlag(gw.db, K8S_NAMESPACE_ISOLATION_FLAG, true, org.organizationId);
  const repo = await connectRepo(gw, org.owner.token, org.organizationId);
  return { ...org, repo, namespace: `${SHARED_NAMESPACE}-org-${org.organizationId}` };
}
