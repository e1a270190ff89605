import type { KubernetesObject, V1ClusterRole, V1Namespace, V1PolicyRule, V1Role } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { gatewayManifests, organizationNamespaceManifests } from '../../src/k8s/gateway-manifests.js';
import { deployNew } from '../support/automation-fixtures.js';
import { isolatedOrg, REGISTRY_SECRET, SHARED_NAMESPACE, startClusterEnv, type ClusterEnv } from '../support/k8s-setup.js';
import type { PolicyRule } from '../support/kube-stub/index.js';

// The printed RBAC, applied to the Kubernetes API stand-in as the only permissions the gateway has:
// a deploy must succeed with exactly those rules (issue 6 item 8).

/** RBAC rules as the stand-in evaluates them (it ignores API groups; the schema tests check those). */
const stubRules = (rules: V1PolicyRule[] | undefined): PolicyRule[] =>
  (rules ?? []).map((rule) => ({ verbs: [...rule.verbs], resources: [...(rule.resources ?? [])] }));
const find = <T extends KubernetesObject>(objects: readonly KubernetesObject[], kind: string) => objects.find((o): o is T => o.kind === kind);

describe('manual mode: the manifests an operator applies by hand are enough to deploy', () => {
  let env: ClusterEnv;
  beforeAll(async () => {
    env = await startClusterEnv('manual');
  });
  afterAll(async () => env.close());

  it('Namespace and Role from `manifests namespace`, shared-namespace Role from `manifests`: DEPLOYED', async () => {
    const config = loadConfig({ K8S_NAMESPACE: SHARED_NAMESPACE, RBAC_NAMESPACE_ISOLATION: 'false', REGISTRY_SECRET_NAME: REGISTRY_SECRET });
    // The gateway's Role in the shared namespace replaces the harness's broader binding there.
    const sharedRole = find<V1Role>(gatewayManifests(config), 'Role');
    expect(sharedRole?.metadata?.namespace).toBe(SHARED_NAMESPACE);
    env.stub.bindInNamespace(SHARED_NAMESPACE, stubRules(sharedRole?.rules));

    const org = await isolatedOrg(env.gw);
    const objects = organizationNamespaceManifests(config.k8s, org.organizationId);
    const namespace = find<V1Namespace>(objects, 'Namespace');
    const role = find<V1Role>(objects, 'Role');
    expect(namespace?.metadata?.name).toBe(org.namespace);
    env.stub.seedNamespace(org.namespace, namespace?.metadata?.labels);
    env.stub.bindInNamespace(org.namespace, stubRules(role?.rules));

    const { deployment, automationId } = await deployNew(env.gw, org.owner.token, org.organizationId, org.repo);
    expect(deployment.message).toBeNull();
    expect(deployment.status).toBe('DEPLOYED');
    const inNamespace = (map: Map<string, unknown>) => [...map.keys()].filter((key) => key.startsWith(`${org.namespace}/`));
    expect(inNamespace(env.stub.objects.deployments)).toEqual([`${org.namespace}/automation-${automationId}`]);
    expect(inNamespace(env.stub.objects.secrets)).toContain(`${org.namespace}/${REGISTRY_SECRET}`);
    // Nothing cluster-wide was needed, nor asked for.
    expect(env.stub.count({ resource: 'namespaces', verb: 'create' })).toBe(0);
  });
});

describe('automatic mode: the printed ClusterRole alone is enough to create the namespace and deploy', () => {
  let env: ClusterEnv;
  beforeAll(async () => {
    env = await startClusterEnv('automatic');
  });
  afterAll(async () => env.close());

  it('DEPLOYED into a namespace the gateway created', async () => {
    const config = loadConfig({ K8S_NAMESPACE: SHARED_NAMESPACE, RBAC_NAMESPACE_ISOLATION: 'true', REGISTRY_SECRET_NAME: REGISTRY_SECRET });
    const clusterRole = find<V1ClusterRole>(gatewayManifests(config), 'ClusterRole');
    env.stub.grantClusterWide(stubRules(clusterRole?.rules));
    env.stub.unbindNamespace(SHARED_NAMESPACE);
    const org = await isolatedOrg(env.gw);
    const { deployment } = await deployNew(env.gw, org.owner.token, org.organizationId, org.repo);
    expect(deployment.message).toBeNull();
    expect(deployment.status).toBe('DEPLOYED');
    expect(env.stub.count({ resource: 'namespaces', verb: 'create' })).toBe(1);
  });
});
