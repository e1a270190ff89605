import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { organizationNamespaceManifests } from '../../src/k8s/gateway-manifests-rbac.js';
import { NAMESPACE_PERMISSIONS } from '../../src/k8s/required-permissions.js';
import { grantInstanceAdmin } from '../../src/authz/instance-admins.repository.js';
import { connectRepo, deployNew } from '../support/automation-fixtures.js';
import { expectAllowed } from '../support/expect.js';
import { createOrg } from '../support/fixtures.js';
import { isolatedOrg, REGISTRY_SECRET, SHARED_NAMESPACE, startClusterEnv, type ClusterEnv } from '../support/k8s-setup.js';

// Issue 14 §3: every failure message of a deploy names the namespace, the verb and the resource,
// and an action; the test performs that action, redeploys, and expects the deploy to succeed.

interface Org {
  organizationId: number;
  token: string;
  repo: string;
  namespace: string;
}

interface AdviceCase {
  failure: string;
  /** Whether the organization has a namespace of its own (k8s_namespace_isolation). */
  isolated: boolean;
  /** Deploy once successfully first (the failure concerns a namespace that was ready). */
  deployedBefore?: boolean;
  /** Makes the cluster fail the way the row describes. */
  breakIt(env: ClusterEnv, org: Org): void;
  /** The namespace, the verb and the resource of the failed call. */
  names(org: Org): string[];
  /** The action the message advises, as written. */
  advice(org: Org): string;
  retryable: boolean;
  /** Performs the advised action (a redeploy follows in every case). */
  follow(env: ClusterEnv, org: Org): void;
}

const fullRole = NAMESPACE_PERMISSIONS.map((rule) => ({ verbs: [...rule.verbs], resources: [rule.resource] }));

/** What `gatehouse manifests namespace --org ID | kubectl apply -f -` creates: the namespace and the deployer RoleBinding. */
function applyNamespaceManifests(env: ClusterEnv, org: Org): void {
  const [namespace, role] = organizationNamespaceManifests(env.gw.config.k8s, org.organizationId);
  const name = namespace.metadata?.name ?? '';
  if (!env.stub.objects.namespaces.has(name)) env.stub.seedNamespace(name, namespace.metadata?.labels);
  env.stub.bindInNamespace(
    name,
    (role.rules ?? []).map((rule) => ({ verbs: [...rule.verbs], resources: [...(rule.resources ?? [])] })),
  );
}

const AUTOMATIC: AdviceCase[] = [
  {
    failure: 'the ClusterRole is missing (automatic mode)',
    isolated: true,
    breakIt: (env) => env.stub.revokeClusterWide(),
    names: (org) => [`get namespaces "${org.namespace}"`],
    advice: () => 'ClusterRole and ClusterRoleBinding must grant it',
    retryable: false,
    follow: (env) => env.stub.grantClusterWide(),
  },
  {
    failure: 'the namespace create answers 500',
    isolated: true,
    breakIt: (env) => env.stub.failNext({ method: 'POST', path: /^\/api\/v1\/namespaces$/, status: 500 }),
    names: (org) => [`create namespaces "${org.namespace}"`],
    advice: () => 'redeploy to retry',
    retryable: true,
    follow: () => undefined,
  },
  {
    failure: 'the namespace create times out',
    isolated: true,
    breakIt: (env) => env.stub.failNext({ method: 'POST', path: /^\/api\/v1\/namespaces$/, hang: true }),
    names: (org) => [`create namespaces "${org.namespace}"`, 'no answer'],
    advice: () => 'redeploy to retry',
    retryable: true,
    follow: () => undefined,
  },
  {
    failure: 'the registry pull secret is missing from the shared namespace',
    isolated: true,
    breakIt: (env) => env.stub.objects.secrets.delete(`${SHARED_NAMESPACE}/${REGISTRY_SECRET}`),
    names: () => [`get secrets "${REGISTRY_SECRET}" in "${SHARED_NAMESPACE}"`],
    advice: () => `kubectl -n ${SHARED_NAMESPACE} create secret docker-registry ${REGISTRY_SECRET}`,
    retryable: false,
    follow: (env) => env.stub.seedSecret(SHARED_NAMESPACE, REGISTRY_SECRET, 'kubernetes.io/dockerconfigjson', { '.dockerconfigjson': 'e30=' }),
  },
  {
    failure: "the organization's namespace was deleted after it was provisioned",
    isolated: true,
    deployedBefore: true,
    breakIt: (env, org) => env.stub.objects.namespaces.delete(org.namespace),
    names: (org) => [`Namespace "${org.namespace}"`, 'create secrets'],
    advice: () => 'Redeploy: the gateway creates it.',
    retryable: false,
    follow: () => undefined,
  },
  {
    failure: 'the shared namespace (K8S_NAMESPACE) is missing',
    isolated: false,
    breakIt: (env) => env.stub.objects.namespaces.delete(SHARED_NAMESPACE),
    names: () => [`create secrets`, `in "${SHARED_NAMESPACE}"`],
    advice: () => `kubectl create namespace ${SHARED_NAMESPACE}`,
    retryable: false,
    follow: (env) => env.stub.seedNamespace(SHARED_NAMESPACE),
  },
];

const MANUAL: AdviceCase[] = [
  {
    failure: "the shared namespace's Role lacks a verb the deploy needs (manual mode)",
    isolated: false,
    breakIt: (env) =>
      env.stub.bindInNamespace(
        SHARED_NAMESPACE,
        fullRole.filter((rule) => !rule.resources.includes('deployments')),
      ),
    names: () => [`create deployments in namespace "${SHARED_NAMESPACE}"`],
    advice: () => `Grant the gateway's ServiceAccount "gatehouse" these permissions in "${SHARED_NAMESPACE}"`,
    retryable: false,
    follow: (env) => env.stub.bindInNamespace(SHARED_NAMESPACE, fullRole),
  },
  {
    failure: 'no namespace and no RoleBinding (manual mode, namespaces not readable)',
    isolated: true,
    breakIt: () => undefined,
    names: (org) => [`"${org.namespace}"`, 'create secrets', 'get namespaces'],
    advice: (org) => `gatehouse manifests namespace --org ${org.organizationId} | kubectl apply -f -`,
    retryable: false,
    follow: applyNamespaceManifests,
  },
  {
    failure: 'the namespace exists without the RoleBinding (manual mode)',
    isolated: true,
    breakIt: (env, org) => env.stub.seedNamespace(org.namespace),
    names: (org) => [`"${org.namespace}"`, 'create secrets'],
    advice: (org) => `gatehouse manifests namespace --org ${org.organizationId} | kubectl apply -f -`,
    retryable: false,
    follow: applyNamespaceManifests,
  },
  {
    failure: 'the RoleBinding lacks a verb (manual mode)',
    isolated: true,
    breakIt: (env, org) => {
      env.stub.seedNamespace(org.namespace);
      env.stub.bindInNamespace(
        org.namespace,
        fullRole.map((rule) => (rule.resources.includes('deployments') ? { ...rule, verbs: rule.verbs.filter((verb) => verb !== 'update') } : rule)),
      );
    },
    names: (org) => [`namespace "${org.namespace}"`, 'update deployments'],
    advice: (org) => `Re-apply it from \`gatehouse manifests namespace --org ${org.organizationId}\``,
    retryable: false,
    follow: applyNamespaceManifests,
  },
];

async function newOrg(env: ClusterEnv, isolated: boolean): Promise<Org> {
  if (isolated) {
    const org = await isolatedOrg(env.gw);
    return { organizationId: org.organizationId, token: org.owner.token, repo: org.repo, namespace: org.namespace };
  }
  const org = await createOrg(env.gw);
  return {
    organizationId: org.organizationId,
    token: org.owner.token,
    repo: await connectRepo(env.gw, org.owner.token, org.organizationId),
    namespace: SHARED_NAMESPACE,
  };
}

async function followTheAdvice(env: ClusterEnv, row: AdviceCase): Promise<void> {
  const org = await newOrg(env, row.isolated);
  let automationId: string | undefined;
  if (row.deployedBefore) automationId = (await deployNew(env.gw, org.token, org.organizationId, org.repo)).automationId;
  row.breakIt(env, org);
  const failed = automationId
    ? (
        await expectAllowed<{ redeployAutomation: { status: string; message: string; retryable: boolean } }>(
          env.gw,
          org.token,
          'mutation($id: ID!) { redeployAutomation(id: $id) { status message retryable } }',
          { id: automationId },
        )
      ).redeployAutomation
    : await deployNew(env.gw, org.token, org.organizationId, org.repo).then((r) => ((automationId = r.automationId), r.deployment));
  expect(failed.status).toBe('FAILED');
  for (const name of [org.namespace, ...row.names(org)]) expect(failed.message).toContain(name);
  expect(failed.message).toContain(row.advice(org));
  expect(failed.retryable).toBe(row.retryable);

  row.follow(env, org);
  const again = await expectAllowed<{ redeployAutomation: { status: string; message: string | null } }>(
    env.gw,
    org.token,
    'mutation($id: ID!) { redeployAutomation(id: $id) { status message } }',
    { id: automationId },
  );
  expect(again.redeployAutomation, `after following "${row.advice(org)}"`).toEqual({ status: 'DEPLOYED', message: null });
}

describe('failure advice that works, automatic mode', () => {
  let env: ClusterEnv;
  beforeAll(async () => {
    env = await startClusterEnv('automatic', { K8S_REQUEST_TIMEOUT_MS: '1500' });
  });
  afterAll(async () => env.close());

  it.each(AUTOMATIC)('$failure: the message names the call, and following it succeeds', (row) => followTheAdvice(env, row), 30_000);

  it("a missing shared namespace is reported by /readyz and by the operators' namespace view, until it is created", async () => {
    const org = await createOrg(env.gw);
    await grantInstanceAdmin(env.gw.db, org.owner.userId ?? '');
    const view = async () =>
      (
        await expectAllowed<{ organizationNamespaces: Array<{ organizationId: string; ready: boolean; message: string | null }> }>(
          env.gw,
          org.owner.token,
          '{ organizationNamespaces { organizationId ready message } }',
        )
      ).organizationNamespaces.find((row) => row.organizationId === String(org.organizationId));
    const shared = env.stub.objects.namespaces.get(SHARED_NAMESPACE);
    env.stub.objects.namespaces.delete(SHARED_NAMESPACE);
    try {
      const readyz = await fetch(new URL('/readyz', env.gw.url));
      expect(readyz.status).toBe(503);
      const body = (await readyz.json()) as { status: string; namespace: string; fix: string };
      expect(body).toMatchObject({ status: 'shared namespace missing', namespace: SHARED_NAMESPACE });
      expect(body.fix).toContain(`kubectl create namespace ${SHARED_NAMESPACE}`);
      const row = await view();
      expect(row?.ready).toBe(false);
      expect(row?.message).toContain(`The shared namespace "${SHARED_NAMESPACE}" (K8S_NAMESPACE) does not exist`);
    } finally {
      if (shared) env.stub.objects.namespaces.set(SHARED_NAMESPACE, shared);
    }
    expect((await fetch(new URL('/readyz', env.gw.url))).status).toBe(200);
    expect(await view()).toMatchObject({ ready: true, message: null });
  });
});

describe('failure advice that works, manual mode', () => {
  let env: ClusterEnv;
  beforeAll(async () => {
    env = await startClusterEnv('manual');
  });
  afterAll(async () => env.close());

  it.each(MANUAL)('$failure: the message names the call, and following it succeeds', (row) => followTheAdvice(env, row), 30_000);
});
