import { ApiException, CoreV1Api, type V1Service } from '@kubernetes/client-node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Cluster } from '../../src/k8s/cluster.js';
import { automationObjects, withHash } from '../../src/k8s/manifests.js';
import { startKubeStub, type KubeStub } from '../support/kube-stub/index.js';

// The stub's core/v1 Service, as the gateway uses it: ClusterIP allocation, a replace that leaves
// spec.clusterIP empty keeping the allocated address, clusterIP immutable, and validation.
let stub: KubeStub;
let core: CoreV1Api;
const NS = 'crewai';

beforeEach(async () => {
  stub = await startKubeStub();
  stub.seedNamespace(NS);
  stub.grantClusterWide();
  core = stub.kubeConfig().makeApiClient(CoreV1Api);
});
afterEach(async () => stub.close());

function service(port = 8080): V1Service {
  const { service: body } = automationObjects({
    organizationId: 1,
    automationId: '0b7c2d1e-3f4a-4b5c-8d6e-7f8091a2b3c4',
    version: 1,
    namespace: NS,
    runnerImage: 'runner:1',
    registrySecretName: undefined,
    source: { type: 'GIT', repository: 'acme/crew', cloneUrl: 'https://github.com/acme/crew.git', ref: 'main' },
    secretData: {},
  });
  // Hashed again after the change, as the manifest builder would hash a different port.
  return withHash<V1Service>({
    ...body,
    metadata: { ...body.metadata, annotations: {} },
    spec: { ...body.spec, ports: [{ name: 'http', port, targetPort: 'http', protocol: 'TCP' }] },
  });
}

async function code(promise: Promise<unknown>): Promise<number> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ApiException) return error.code;
    throw error;
  }
  return 200;
}

describe('kube-stub services', () => {
  it('allocates a cluster IP and defaults the port protocol and type', async () => {
    const created = await core.createNamespacedService({ namespace: NS, body: service() });
    expect(created.spec?.clusterIP).toMatch(/^10\.96\.\d+\.\d+$/);
    expect(created.spec?.type).toBe('ClusterIP');
    expect(created.spec?.selector).toEqual({ 'gatehouse.dev/automation-id': '0b7c2d1e-3f4a-4b5c-8d6e-7f8091a2b3c4' });
  });

  it('Cluster.applyService replaces a changed Service and keeps its cluster IP', async () => {
    const cluster = new Cluster(stub.kubeConfig(), 2000);
    const first = await cluster.applyService(NS, service(8080));
    const ip = (await core.readNamespacedService({ namespace: NS, name: service().metadata?.name ?? '' })).spec?.clusterIP;
    expect((await cluster.applyService(NS, service(8080))).changed).toBe(false);
    const second = await cluster.applyService(NS, service(9090));
    expect(second.changed).toBe(true);
    expect(second.resourceVersion).not.toBe(first.resourceVersion);
    const stored = await core.readNamespacedService({ namespace: NS, name: service().metadata?.name ?? '' });
    expect(stored.spec?.clusterIP).toBe(ip);
    expect(stored.spec?.ports?.[0]?.port).toBe(9090);
  });

  it('a replace naming another cluster IP is 422 (immutable); a port out of range is 422', async () => {
    const created = await core.createNamespacedService({ namespace: NS, body: service() });
    const name = created.metadata?.name ?? '';
    const moved = { ...created, spec: { ...created.spec, clusterIP: '10.96.250.250', clusterIPs: ['10.96.250.250'] } };
    expect(await code(core.replaceNamespacedService({ namespace: NS, name, body: moved }))).toBe(422);
    const bad = service(70000);
    expect(await code(core.createNamespacedService({ namespace: NS, body: { ...bad, metadata: { ...bad.metadata, name: 'other' } } }))).toBe(422);
  });

  it('deleting answers the Service; deleting again is 404, and Cluster.deleteObject counts that as deleted', async () => {
    const created = await core.createNamespacedService({ namespace: NS, body: service() });
    const name = created.metadata?.name ?? '';
    expect((await core.deleteNamespacedService({ namespace: NS, name })).metadata?.name).toBe(name);
    expect(stub.objects.services.has(`${NS}/${name}`)).toBe(false);
    expect(await code(core.deleteNamespacedService({ namespace: NS, name }))).toBe(404);
    await new Cluster(stub.kubeConfig(), 2000).deleteObject('Service', NS, name);
  });
});
