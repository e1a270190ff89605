import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectRepo, deployNew } from '../support/automation-fixtures.js';
import { createOrg } from '../support/fixtures.js';
import { expectAllowed } from '../support/expect.js';
import { isolatedOrg, REGISTRY_SECRET, SHARED_NAMESPACE, startClusterEnv, type ClusterEnv } from '../support/k8s-setup.js';

// SPEC §5 automatic mode (rbac.namespaceIsolation: true) against the Kubernetes API stand-in.
let env: ClusterEnv;
beforeAll(async () => {
  env = await startClusterEnv('automatic');
});
afterAll(async () => env.close());

type Labels = { metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> } };

describe('deploying with namespace isolation in automatic mode', () => {
  it('a first deploy creates the labelled namespace, copies the registry secret and applies the objects', async () => {
    const org = await isolatedOrg(env.gw);
    env.stub.resetCalls();
    const { deployment, automationId } = await deployNew(env.gw, org.owner.token, org.organizationId, org.repo);
    expect(deployment).toMatchObject({ status: 'DEPLOYED', message: null, namespace: org.namespace, isolated: true });
    const namespace = env.stub.objects.namespaces.get(org.namespace) as Labels | undefined;
    expect(namespace?.metadata?.labels).toMatchObject({
      'app.kubernetes.io/managed-by': 'gatehouse',
      'gatehouse.dev/organization-id': String(org.organizationId),
    });
    expect(env.stub.objects.secrets.has(`${org.namespace}/${REGISTRY_SECRET}`)).toBe(true);
    expect(env.stub.objects.secrets.has(`${org.namespace}/automation-${automationId}-env`)).toBe(true);
    expect(env.stub.objects.deployments.has(`${org.namespace}/automation-${automationId}`)).toBe(true);
    expect(env.stub.objects.services.has(`${org.namespace}/automation-${automationId}`)).toBe(true);
    expect(deployment.appliedObjects.map((o) => [o.kind, o.namespace])).toEqual([
      ['Secret', org.namespace],
      ['Deployment', org.namespace],
      ['Service', org.namespace],
    ]);
    expect(deployment.appliedObjects.every((o) => o.resourceVersion)).toBe(true);
    expect(env.stub.count({ verb: 'create', resource: 'namespaces' })).toBe(1);
  });

  it('a repeat deploy into a ready namespace makes no namespace or secret-copy calls', async () => {
    const org = await isolatedOrg(env.gw);
    await deployNew(env.gw, org.owner.token, org.organizationId, org.repo);
    env.stub.resetCalls();
    const { deployment } = await deployNew(env.gw, org.owner.token, org.organizationId, org.repo);
    expect(deployment.status).toBe('DEPLOYED');
    expect(env.stub.count({ resource: 'namespaces' })).toBe(0);
    expect(env.stub.count({ resource: 'secrets', namespace: SHARED_NAMESPACE })).toBe(0);
    expect(env.stub.count({ resource: 'secrets', name: REGISTRY_SECRET })).toBe(0);
  });

  it('an organization without isolation deploys into the shared namespace and creates none', async () => {
    const org = await createOrg(env.gw);
    const repo = await connectRepo(env.gw, org.owner.token, org.organizationId);
    env.stub.resetCalls();
    const { deployment } = await deployNew(env.gw, org.owner.token, org.organizationId, repo);
    expect(deployment).toMatchObject({ status: 'DEPLOYED', namespace: SHARED_NAMESPACE, isolated: false });
    expect(env.stub.count({ resource: 'namespaces' })).toBe(0);
  });

  it('a 403 names the namespace, verb and resource and how to grant it', async () => {
    const org = await isolatedOrg(env.gw);
    env.stub.revokeClusterWide();
    try {
      const { deployment } = await deployNew(env.gw, org.owner.token, org.organizationId, org.repo);
      expect(deployment.status).toBe('FAILED');
      expect(deployment.retryable).toBe(false);
      expect(deployment.message).toContain('403');
      expect(deployment.message).toContain('namespaces');
      expect(deployment.message).toMatch(/refused to (get|create) namespaces "crewai-org-\d+"/);
      expect(deployment.message).toContain('rbac.namespaceIsolation');
    } finally {
      env.stub.grantClusterWide();
    }
    const { deployment } = await deployNew(env.gw, org.owner.token, org.organizationId, org.repo);
    expect(deployment.status).toBe('DEPLOYED');
  });

  it('a missing registry secret is named, and a deploy after it is created succeeds', async () => {
    const org = await isolatedOrg(env.gw);
    const stored = env.stub.objects.secrets.get(`${SHARED_NAMESPACE}/${REGISTRY_SECRET}`);
    env.stub.objects.secrets.delete(`${SHARED_NAMESPACE}/${REGISTRY_SECRET}`);
    try {
      const { deployment } = await deployNew(env.gw, org.owner.token, org.organizationId, org.repo);
      expect(deployment.status).toBe('FAILED');
      expect(deployment.message).toContain(`"${REGISTRY_SECRET}"`);
      expect(deployment.message).toContain(`"${SHARED_NAMESPACE}"`);
    } finally {
      if (stored) env.stub.objects.secrets.set(`${SHARED_NAMESPACE}/${REGISTRY_SECRET}`, stored);
    }
    expect((await deployNew(env.gw, org.owner.token, org.organizationId, org.repo)).deployment.status).toBe('DEPLOYED');
  });

  it('a 5xx fails the deploy as retryable; a redeploy then completes without duplicates', async () => {
    const org = await isolatedOrg(env.gw);
    env.stub.failNext({ method: 'POST', path: /\/deployments$/, status: 503 });
    const { deployment, automationId } = await deployNew(env.gw, org.owner.token, org.organizationId, org.repo);
    expect(deployment.status).toBe('FAILED');
    expect(deployment.retryable).toBe(true);
    expect(deployment.message).toContain('redeploy');
    const again = await expectAllowed<{ redeployAutomation: { status: string; version: number } }>(
      env.gw,
      org.owner.token,
      'mutation($id: ID!) { redeployAutomation(id: $id) { status version } }',
      { id: automationId },
    );
    expect(again.redeployAutomation).toEqual({ status: 'DEPLOYED', version: 2 });
    const ofAutomation = [...env.stub.objects.deployments.keys()].filter((key) => key.endsWith(automationId));
    expect(ofAutomation).toEqual([`${org.namespace}/automation-${automationId}`]);
  });

  it('a Kubernetes API that does not answer fails the deploy as retryable', async () => {
    const org = await isolatedOrg(env.gw);
    await deployNew(env.gw, org.owner.token, org.organizationId, org.repo);
    env.stub.failNext({ method: 'POST', path: /\/secrets$/, hang: true });
    const { deployment } = await deployNew(env.gw, org.owner.token, org.organizationId, org.repo);
    expect(deployment.status).toBe('FAILED');
    expect(deployment.retryable).toBe(true);
    expect(deployment.message).toContain('no answer');
  });

  it("rollback applies the earlier version's source as a new version", async () => {
    const org = await isolatedOrg(env.gw);
    const { automationId } = await deployNew(env.gw, org.owner.token, org.organizationId, org.repo);
    await expectAllowed(
      env.gw,
      org.owner.token,
      'mutation($org: ID!, $input: DeployAutomationInput!) { deployAutomation(organizationId: $org, input: $input) { status } }',
      {
        org: String(org.organizationId),
        input: { automationId, source: { gitRepoId: org.repo, ref: 'release-2' } },
      },
    );
    const key = `${org.namespace}/automation-${automationId}`;
    expect((env.stub.objects.deployments.get(key) as Labels).metadata?.annotations?.['gatehouse.dev/source']).toContain('@release-2');
    const rolled = await expectAllowed<{ rollbackAutomation: { status: string; version: number; gitRef: string } }>(
      env.gw,
      org.owner.token,
      'mutation($id: ID!) { rollbackAutomation(id: $id, toVersion: 1) { status version gitRef } }',
      { id: automationId },
    );
    expect(rolled.rollbackAutomation).toEqual({ status: 'DEPLOYED', version: 3, gitRef: 'main' });
    expect((env.stub.objects.deployments.get(key) as Labels).metadata?.annotations?.['gatehouse.dev/source']).toContain('@main');
    expect((env.stub.objects.deployments.get(key) as Labels).metadata?.labels?.['gatehouse.dev/version']).toBe('3');
  });

  it('delete removes the Kubernetes objects and keeps the history', async () => {
    const org = await isolatedOrg(env.gw);
    const { automationId } = await deployNew(env.gw, org.owner.token, org.organizationId, org.repo);
    const deleted = await expectAllowed<{ deleteAutomation: { deletedAt: string | null } }>(
      env.gw,
      org.owner.token,
      'mutation($id: ID!) { deleteAutomation(id: $id) { deletedAt } }',
      { id: automationId },
    );
    expect(deleted.deleteAutomation.deletedAt).not.toBeNull();
    expect(env.stub.objects.deployments.has(`${org.namespace}/automation-${automationId}`)).toBe(false);
    expect(env.stub.objects.secrets.has(`${org.namespace}/automation-${automationId}-env`)).toBe(false);
    expect(env.stub.objects.services.has(`${org.namespace}/automation-${automationId}`)).toBe(false);
    const history = await expectAllowed<{ organization: { automation: { deployments: { totalCount: number } } } }>(
      env.gw,
      org.owner.token,
      'query($o: ID!, $id: ID!) { organization(id: $o) { automation(id: $id) { deployments { totalCount } } } }',
      { o: String(org.organizationId), id: automationId },
    );
    expect(history.organization.automation.deployments.totalCount).toBe(1);
    const listed = await expectAllowed<{ organization: { automations: { totalCount: number } } }>(
      env.gw,
      org.owner.token,
      'query($o: ID!) { organization(id: $o) { automations { totalCount } } }',
      { o: String(org.organizationId) },
    );
    expect(listed.organization.automations.totalCount).toBe(0);
  });

  it('the admin view shows the expected namespace and whether it is ready', async () => {
    const org = await isolatedOrg(env.gw);
    const query = 'query($o: ID!) { organization(id: $o) { namespace { organizationId namespace expectedNamespace isolated mode ready message } } }';
    const before = await expectAllowed<{ organization: { namespace: Record<string, unknown> } }>(env.gw, org.owner.token, query, {
      o: String(org.organizationId),
    });
    expect(before.organization.namespace).toMatchObject({
      organizationId: String(org.organizationId),
      namespace: org.namespace,
      expectedNamespace: org.namespace,
      isolated: true,
      mode: 'AUTOMATIC',
      ready: false,
    });
    await deployNew(env.gw, org.owner.token, org.organizationId, org.repo);
    const after = await expectAllowed<{ organization: { namespace: { ready: boolean; message: string | null } } }>(env.gw, org.owner.token, query, {
      o: String(org.organizationId),
    });
    expect(after.organization.namespace).toMatchObject({ ready: true, message: null });
  });
});
