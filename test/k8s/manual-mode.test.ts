import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NAMESPACE_PERMISSIONS } from '../../src/k8s/required-permissions.js';
import { deployNew } from '../support/automation-fixtures.js';
import { isolatedOrg, startClusterEnv, type ClusterEnv } from '../support/k8s-setup.js';

// SPEC §5 manual mode (rbac.namespaceIsolation: false): namespaces and RoleBindings are made by
// hand; the gateway verifies them with SelfSubjectAccessReviews and tells apart what is missing.
let env: ClusterEnv;
beforeAll(async () => {
  env = await startClusterEnv('manual');
});
afterAll(async () => env.close());

const binding = NAMESPACE_PERMISSIONS.map((rule) => ({ verbs: [...rule.verbs], resources: [rule.resource] }));

describe('deploying with namespace isolation in manual mode', () => {
  it("a namespace with the RoleBinding of exactly the deploy's verbs deploys, without creating anything cluster-wide", async () => {
    const org = await isolatedOrg(env.gw);
    env.stub.seedNamespace(org.namespace);
    env.stub.bindInNamespace(org.namespace, binding);
    env.stub.resetCalls();
    const { deployment } = await deployNew(env.gw, org.owner.token, org.organizationId, org.repo);
    expect(deployment.message).toBeNull();
    expect(deployment.status).toBe('DEPLOYED');
    expect(env.stub.count({ resource: 'namespaces' })).toBe(0);
    expect(env.stub.count({ resource: 'selfsubjectaccessreviews' })).toBe(NAMESPACE_PERMISSIONS.flatMap((r) => r.verbs).length);
  });

  it('no namespace and no binding, and namespaces not readable: says both may be missing and how to create them', async () => {
    const org = await isolatedOrg(env.gw);
    const { deployment } = await deployNew(env.gw, org.owner.token, org.organizationId, org.repo);
    expect(deployment.status).toBe('FAILED');
    expect(deployment.message).toContain(`Namespace "${org.namespace}" is missing, or has no RoleBinding`);
    expect(deployment.message).toContain(`gatehouse manifests namespace --org ${org.organizationId}`);
  });

  it('a namespace that does not exist is reported as missing when namespaces are readable', async () => {
    const org = await isolatedOrg(env.gw);
    env.stub.grantClusterWide([{ verbs: ['get'], resources: ['namespaces'] }]);
    try {
      const { deployment } = await deployNew(env.gw, org.owner.token, org.organizationId, org.repo);
      expect(deployment.message).toContain(`Namespace "${org.namespace}" is missing (get namespaces "${org.namespace}" answered 404).`);
    } finally {
      env.stub.revokeClusterWide();
    }
  });

  it('a namespace without the binding is reported as "binding missing"', async () => {
    const org = await isolatedOrg(env.gw);
    env.stub.seedNamespace(org.namespace);
    env.stub.grantClusterWide([{ verbs: ['get'], resources: ['namespaces'] }]);
    try {
      const { deployment } = await deployNew(env.gw, org.owner.token, org.organizationId, org.repo);
      expect(deployment.message).toContain('Binding missing');
    } finally {
      env.stub.revokeClusterWide();
    }
  });

  it('a binding without some verbs is reported as "permission missing" with the verbs', async () => {
    const org = await isolatedOrg(env.gw);
    env.stub.seedNamespace(org.namespace);
    env.stub.bindInNamespace(org.namespace, [
      { verbs: ['get', 'create', 'update', 'delete'], resources: ['secrets'] },
      { verbs: ['get'], resources: ['deployments'] },
    ]);
    const { deployment } = await deployNew(env.gw, org.owner.token, org.organizationId, org.repo);
    expect(deployment.status).toBe('FAILED');
    expect(deployment.message).toContain('Permission missing');
    expect(deployment.message).toContain('create deployments');
    expect(deployment.message).not.toContain('get deployments');
  });
});
