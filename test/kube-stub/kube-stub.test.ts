import {
  AbortError,
  ApiException,
  AppsV1Api,
  AuthorizationV1Api,
  CoreV1Api,
  FetchError,
  KubeConfig,
  Observable,
  PatchStrategy,
  setHeaderOptions,
  type ConfigurationOptions,
  type V1Deployment,
} from '@kubernetes/client-node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startKubeStub, type KubeStub } from '../support/kube-stub/index.js';

const SA = 'system:serviceaccount:crewai:gatehouse';

interface StatusBody {
  kind: string;
  apiVersion: string;
  status: string;
  message: string;
  reason: string;
  code: number;
  details?: { name?: string; group?: string; kind?: string; causes?: Array<{ reason?: string; message?: string; field?: string }> };
}

function isStatusBody(value: unknown): value is StatusBody {
  return (
    typeof value === 'object' &&
    value !== null &&
    'kind' in value &&
    value.kind === 'Status' &&
    'code' in value &&
    typeof value.code === 'number' &&
    'message' in value &&
    typeof value.message === 'string'
  );
}

/** What a caller of client-node sees on failure: ApiException, `code`, and the Status as a JSON *string* in `body`. */
async function rejection(promise: Promise<unknown>): Promise<{ error: ApiException<unknown>; status: StatusBody }> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(ApiException);
    if (!(error instanceof ApiException)) throw error;
    expect(typeof error.body).toBe('string');
    const parsed: unknown = JSON.parse(String(error.body));
    if (!isStatusBody(parsed)) throw new Error(`not a Status: ${String(error.body)}`);
    expect(parsed.code).toBe(error.code);
    return { error, status: parsed };
  }
  throw new Error('expected the request to fail');
}

const forbiddenMessage = (what: string, verb: string, resource: string, group: string, scope: string): string =>
  `${what} is forbidden: User "${SA}" cannot ${verb} resource "${resource}" in API group "${group}" ${scope}`;

function deployment(name: string, image = 'registry.example.com/agent:1.2.3'): V1Deployment {
  return {
    metadata: { name },
    spec: {
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'agent', image }] } },
    },
  };
}

/** Per-request timeout for client-node 1.4: a middleware that sets an AbortSignal on the request. */
function timeout(ms: number): ConfigurationOptions {
  return {
    middleware: [
      {
        pre: (context) => {
          context.setSignal(AbortSignal.timeout(ms));
          return new Observable(Promise.resolve(context));
        },
        post: (response) => new Observable(Promise.resolve(response)),
      },
    ],
    middlewareMergeStrategy: 'append',
  };
}

const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const strategicMergePatch = setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch);

let stub: KubeStub;
let core: CoreV1Api;
let apps: AppsV1Api;
let authz: AuthorizationV1Api;

beforeEach(async () => {
  stub = await startKubeStub();
  const kc = stub.kubeConfig();
  core = kc.makeApiClient(CoreV1Api);
  apps = kc.makeApiClient(AppsV1Api);
  authz = kc.makeApiClient(AuthorizationV1Api);
});
afterEach(async () => stub.close());

describe('kube-stub: namespaces', () => {
  it('creating a namespace answers it with uid, creationTimestamp, resourceVersion, phase Active; a repeat answers 409 AlreadyExists', async () => {
    stub.grantClusterWide();
    const created = await core.createNamespace({ body: { metadata: { name: 'crewai-org-1', labels: { 'crewai.io/org': '1' } } } });
    expect(created.metadata?.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.metadata?.resourceVersion).toMatch(/^\d+$/);
    expect(created.metadata?.creationTimestamp).toBeInstanceOf(Date);
    expect(created.status?.phase).toBe('Active');
    expect(created.spec?.finalizers).toEqual(['kubernetes']);
    expect(created.metadata?.labels).toEqual({ 'crewai.io/org': '1', 'kubernetes.io/metadata.name': 'crewai-org-1' });
    expect(stub.calls.at(-1)).toMatchObject({ method: 'POST', status: 201, verb: 'create', resource: 'namespaces', namespace: null, name: 'crewai-org-1' });

    const { error, status } = await rejection(core.createNamespace({ body: { metadata: { name: 'crewai-org-1' } } }));
    expect(error.code).toBe(409);
    expect(status).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'namespaces "crewai-org-1" already exists',
      reason: 'AlreadyExists',
      details: { name: 'crewai-org-1', kind: 'namespaces' },
      code: 409,
    });
  });

  it('deleting a namespace answers it Terminating and removes it, its secrets, deployments and RoleBinding', async () => {
    stub.seedNamespace('crewai-org-2');
    stub.seedSecret('crewai-org-2', 'regcred', 'Opaque', { a: 'Yg==' });
    stub.bindInNamespace('crewai-org-2', [{ verbs: ['*'], resources: ['*'] }]);
    await apps.createNamespacedDeployment({ namespace: 'crewai-org-2', body: deployment('agent') });
    const deleted = await core.deleteNamespace({ name: 'crewai-org-2' });
    expect(deleted.status).toEqual({ phase: 'Terminating' }); // a Namespace read through the V1Status model
    expect(stub.objects.namespaces.has('crewai-org-2')).toBe(false);
    expect(stub.objects.secrets.size + stub.objects.deployments.size).toBe(0);
    const { status } = await rejection(core.readNamespace({ name: 'crewai-org-2' }));
    expect(status.code).toBe(403); // the RoleBinding went with the namespace
  });
});

describe('kube-stub: RBAC', () => {
  it('403 before 404: without a binding, objects in a namespace that does not exist answer 403', async () => {
    const secret = await rejection(core.readNamespacedSecret({ namespace: 'crewai-org-4', name: 'regcred' }));
    expect(secret.status).toMatchObject({
      reason: 'Forbidden',
      code: 403,
      message: forbiddenMessage('secrets "regcred"', 'get', 'secrets', '', 'in the namespace "crewai-org-4"'),
      details: { name: 'regcred', kind: 'secrets' },
    });
    const ns = await rejection(core.readNamespace({ name: 'crewai-org-4' }));
    expect(ns.status.message).toBe(forbiddenMessage('namespaces "crewai-org-4"', 'get', 'namespaces', '', 'in the namespace "crewai-org-4"'));
    const create = await rejection(core.createNamespace({ body: { metadata: { name: 'crewai-org-4' } } }));
    expect(create.status.message).toBe(forbiddenMessage('namespaces', 'create', 'namespaces', '', 'at the cluster scope'));
    const deploy = await rejection(apps.readNamespacedDeployment({ namespace: 'crewai-org-4', name: 'agent' }));
    expect(deploy.status).toMatchObject({
      message: forbiddenMessage('deployments.apps "agent"', 'get', 'deployments', 'apps', 'in the namespace "crewai-org-4"'),
      details: { name: 'agent', group: 'apps', kind: 'deployments' },
    });
  });

  it('once RBAC passes, a missing namespace is 404: creating names the namespace, reading names the object', async () => {
    stub.bindInNamespace('crewai-org-4', [{ verbs: ['get', 'create', 'list'], resources: ['secrets'] }]);
    const read = await rejection(core.readNamespacedSecret({ namespace: 'crewai-org-4', name: 'regcred' }));
    expect(read.status).toMatchObject({ code: 404, reason: 'NotFound', message: 'secrets "regcred" not found', details: { name: 'regcred', kind: 'secrets' } });
    const create = await rejection(core.createNamespacedSecret({ namespace: 'crewai-org-4', body: { metadata: { name: 'regcred' } } }));
    expect(create.status).toMatchObject({ code: 404, message: 'namespaces "crewai-org-4" not found', details: { name: 'crewai-org-4', kind: 'namespaces' } });
    const list = await core.listNamespacedSecret({ namespace: 'crewai-org-4' });
    expect(list.items).toEqual([]); // listing a missing namespace is an empty list, as in Kubernetes
  });

  it('a RoleBinding in a namespace allows exactly its verbs, only in that namespace', async () => {
    stub.seedNamespace('crewai-org-4');
    stub.seedNamespace('crewai-org-5');
    stub.seedSecret('crewai-org-4', 'regcred', 'Opaque', { token: 'dG9rZW4=' });
    stub.seedSecret('crewai-org-5', 'regcred', 'Opaque', { token: 'dG9rZW4=' });
    stub.bindInNamespace('crewai-org-4', [{ verbs: ['get', 'create'], resources: ['secrets'] }]);
    const ns = 'crewai-org-4';
    expect((await core.readNamespacedSecret({ namespace: ns, name: 'regcred' })).data).toEqual({ token: 'dG9rZW4=' });
    await core.createNamespacedSecret({ namespace: ns, body: { metadata: { name: 'other' } } });
    const denied: Array<[string, () => Promise<unknown>]> = [
      ['update', () => core.replaceNamespacedSecret({ namespace: ns, name: 'regcred', body: { metadata: { name: 'regcred' } } })],
      ['patch', () => core.patchNamespacedSecret({ namespace: ns, name: 'regcred', body: {} }, mergePatch)],
      ['delete', () => core.deleteNamespacedSecret({ namespace: ns, name: 'regcred' })],
    ];
    for (const [verb, request] of denied) {
      const { status } = await rejection(request());
      expect(status.message).toBe(forbiddenMessage('secrets "regcred"', verb, 'secrets', '', `in the namespace "${ns}"`));
    }
    const list = await rejection(core.listNamespacedSecret({ namespace: ns }));
    expect(list.status).toMatchObject({
      message: forbiddenMessage('secrets', 'list', 'secrets', '', `in the namespace "${ns}"`),
      details: { kind: 'secrets' },
    });
    expect((await rejection(core.readNamespacedSecret({ namespace: 'crewai-org-5', name: 'regcred' }))).error.code).toBe(403);
    expect((await rejection(apps.listNamespacedDeployment({ namespace: ns }))).error.code).toBe(403);
    expect((await rejection(core.listNamespace())).status.message).toContain('at the cluster scope');
    stub.unbindNamespace(ns);
    expect((await rejection(core.readNamespacedSecret({ namespace: ns, name: 'regcred' }))).error.code).toBe(403);
  });

  it('a ClusterRoleBinding applies everywhere; revoking it restores 403', async () => {
    stub.grantClusterWide([{ verbs: ['get', 'list'], resources: ['namespaces'] }]);
    stub.seedNamespace('crewai-org-6');
    expect((await core.listNamespace()).items.map((n) => n.metadata?.name)).toEqual(['crewai-org-6']);
    expect((await rejection(core.deleteNamespace({ name: 'crewai-org-6' }))).error.code).toBe(403);
    stub.revokeClusterWide();
    expect((await rejection(core.readNamespace({ name: 'crewai-org-6' }))).error.code).toBe(403);
  });

  it('SelfSubjectAccessReview is always allowed and mirrors RBAC: allowed exactly when the request itself passes', async () => {
    stub.seedNamespace('crewai-org-7');
    stub.seedSecret('crewai-org-7', 'regcred', 'Opaque', {});
    const review = (verb: string, resource: string, namespace?: string, group = '') =>
      authz.createSelfSubjectAccessReview({ body: { spec: { resourceAttributes: { verb, resource, group, ...(namespace ? { namespace } : {}) } } } });
    const denied = await review('get', 'secrets', 'crewai-org-7');
    expect(denied.status).toEqual({ allowed: false });

    stub.bindInNamespace('crewai-org-7', [{ verbs: ['get'], resources: ['secrets'] }]);
    const allowed = await review('get', 'secrets', 'crewai-org-7');
    expect(allowed.status).toEqual({
      allowed: true,
      reason: 'RBAC: allowed by RoleBinding "gatehouse/crewai-org-7" of Role "gatehouse" to ServiceAccount "gatehouse/crewai"',
    });
    stub.grantClusterWide([{ verbs: ['create'], resources: ['namespaces', 'deployments'] }]);
    const cases: Array<{ verb: string; resource: string; group: string; namespace?: string; call: () => Promise<unknown> }> = [
      {
        verb: 'get',
        resource: 'secrets',
        group: '',
        namespace: 'crewai-org-7',
        call: () => core.readNamespacedSecret({ namespace: 'crewai-org-7', name: 'regcred' }),
      },
      {
        verb: 'delete',
        resource: 'secrets',
        group: '',
        namespace: 'crewai-org-7',
        call: () => core.deleteNamespacedSecret({ namespace: 'crewai-org-7', name: 'regcred' }),
      },
      {
        verb: 'get',
        resource: 'secrets',
        group: '',
        namespace: 'crewai-org-8',
        call: () => core.readNamespacedSecret({ namespace: 'crewai-org-8', name: 'regcred' }),
      },
      { verb: 'create', resource: 'namespaces', group: '', call: () => core.createNamespace({ body: { metadata: { name: 'crewai-org-9' } } }) },
      { verb: 'list', resource: 'namespaces', group: '', call: () => core.listNamespace() },
      {
        verb: 'create',
        resource: 'deployments',
        group: 'apps',
        namespace: 'crewai-org-7',
        call: () => apps.createNamespacedDeployment({ namespace: 'crewai-org-7', body: deployment('a') }),
      },
    ];
    for (const c of cases) {
      const answer = await review(c.verb, c.resource, c.namespace, c.group);
      const outcome = await c.call().then(
        () => 'passed',
        (error: unknown) => (error instanceof ApiException && error.code === 403 ? 'forbidden' : 'passed'),
      );
      expect({ ...c, call: undefined, allowed: answer.status?.allowed }).toEqual({ ...c, call: undefined, allowed: outcome === 'passed' });
    }
    expect(stub.count({ verb: 'create', resource: 'selfsubjectaccessreviews' })).toBe(2 + cases.length);
    const bad = await rejection(authz.createSelfSubjectAccessReview({ body: { spec: {} } }));
    expect(bad.status).toMatchObject({ code: 422, reason: 'Invalid', details: { group: 'authorization.k8s.io', kind: 'SelfSubjectAccessReview' } });
  });
});

describe('kube-stub: updates', () => {
  beforeEach(() => {
    stub.grantClusterWide();
    stub.seedNamespace('crewai-org-3');
  });

  it('PUT with a stale metadata.resourceVersion answers 409 Conflict', async () => {
    const created = await core.createNamespacedSecret({ namespace: 'crewai-org-3', body: { metadata: { name: 'regcred' }, stringData: { token: 'one' } } });
    const first = await core.replaceNamespacedSecret({ namespace: 'crewai-org-3', name: 'regcred', body: { ...created, stringData: { token: 'two' } } });
    expect(Number(first.metadata?.resourceVersion)).toBeGreaterThan(Number(created.metadata?.resourceVersion));
    const { status } = await rejection(
      core.replaceNamespacedSecret({ namespace: 'crewai-org-3', name: 'regcred', body: { ...created, stringData: { token: 'three' } } }),
    );
    expect(status).toMatchObject({
      code: 409,
      reason: 'Conflict',
      message:
        'Operation cannot be fulfilled on secrets "regcred": the object has been modified; please apply your changes to the latest version and try again',
      details: { name: 'regcred', kind: 'secrets' },
    });
    const patch = { metadata: { resourceVersion: created.metadata?.resourceVersion, labels: { a: 'b' } } };
    expect((await rejection(core.patchNamespacedSecret({ namespace: 'crewai-org-3', name: 'regcred', body: patch }, mergePatch))).status.reason).toBe(
      'Conflict',
    );
    expect(Buffer.from((await core.readNamespacedSecret({ namespace: 'crewai-org-3', name: 'regcred' })).data?.['token'] ?? '', 'base64').toString()).toBe(
      'two',
    );
  });

  it('PUT without resourceVersion is an unconditional update; an unchanged PUT writes nothing', async () => {
    const created = await core.createNamespacedSecret({
      namespace: 'crewai-org-3',
      body: { metadata: { name: 'regcred' }, type: 'kubernetes.io/basic-auth', data: { username: 'dQ==' } },
    });
    const updated = await core.replaceNamespacedSecret({
      namespace: 'crewai-org-3',
      name: 'regcred',
      body: { metadata: { name: 'regcred' }, type: 'kubernetes.io/basic-auth', data: { username: 'dg==' } },
    });
    expect(updated.data).toEqual({ username: 'dg==' });
    expect(updated.metadata?.uid).toBe(created.metadata?.uid);
    expect(updated.metadata?.creationTimestamp).toEqual(created.metadata?.creationTimestamp);
    expect(updated.metadata?.resourceVersion).not.toBe(created.metadata?.resourceVersion);
    const again = await core.replaceNamespacedSecret({
      namespace: 'crewai-org-3',
      name: 'regcred',
      body: { metadata: { name: 'regcred' }, type: 'kubernetes.io/basic-auth', data: { username: 'dg==' } },
    });
    expect(again.metadata?.resourceVersion).toBe(updated.metadata?.resourceVersion);
    const typeChange = await rejection(
      core.replaceNamespacedSecret({ namespace: 'crewai-org-3', name: 'regcred', body: { metadata: { name: 'regcred' }, type: 'Opaque' } }),
    );
    expect(typeChange.status.message).toBe('Secret "regcred" is invalid: type: Invalid value: "Opaque": field is immutable');
    const missing = await rejection(core.replaceNamespacedSecret({ namespace: 'crewai-org-3', name: 'nope', body: { metadata: { name: 'nope' } } }));
    expect(missing.status.message).toBe('secrets "nope" not found');
  });

  it('PUT whose body names another object answers 400 BadRequest, as the apiserver does (not 422)', async () => {
    stub.seedSecret('crewai-org-3', 'regcred', 'Opaque', {});
    const { status } = await rejection(core.replaceNamespacedSecret({ namespace: 'crewai-org-3', name: 'regcred', body: { metadata: { name: 'other' } } }));
    expect(status).toMatchObject({ code: 400, reason: 'BadRequest', message: 'the name of the object (other) does not match the name on the URL (regcred)' });
  });

  it('merge and strategic-merge patches merge; client-node sends json-patch unless told otherwise', async () => {
    stub.seedSecret('crewai-org-3', 'regcred', 'Opaque', { a: 'YQ==', b: 'Yg==' });
    const merged = await core.patchNamespacedSecret({ namespace: 'crewai-org-3', name: 'regcred', body: { data: { b: null, c: 'Yw==' } } }, mergePatch);
    expect(merged.data).toEqual({ a: 'YQ==', c: 'Yw==' });
    const strategic = await core.patchNamespacedSecret(
      { namespace: 'crewai-org-3', name: 'regcred', body: { metadata: { labels: { tier: 'org' } } } },
      strategicMergePatch,
    );
    expect(strategic.metadata?.labels).toEqual({ tier: 'org' });
    const jsonPatch = await core.patchNamespacedSecret({
      namespace: 'crewai-org-3',
      name: 'regcred',
      body: [{ op: 'replace', path: '/data/a', value: 'eg==' }],
    });
    expect(jsonPatch.data?.['a']).toBe('eg==');
    const objectAsJsonPatch = await rejection(core.patchNamespacedSecret({ namespace: 'crewai-org-3', name: 'regcred', body: { data: {} } }));
    expect(objectAsJsonPatch.status).toMatchObject({ code: 400, message: 'json: cannot unmarshal object into Go value of type jsonpatch.Patch' });
    expect(stub.calls.filter((c) => c.method === 'PATCH').map((c) => c.status)).toEqual([200, 200, 200, 400]);
  });

  it('deployments: defaults, a generation that moves only with spec, an observed status', async () => {
    const created = await apps.createNamespacedDeployment({ namespace: 'crewai-org-3', body: deployment('agent') });
    expect(created.metadata?.generation).toBe(1);
    expect(created.spec?.replicas).toBe(1);
    expect(created.spec?.template.spec?.containers[0]?.imagePullPolicy).toBe('IfNotPresent');
    expect(created.status).toMatchObject({ observedGeneration: 1, replicas: 1, readyReplicas: 1, availableReplicas: 1 });
    const labelled = await apps.patchNamespacedDeployment({ namespace: 'crewai-org-3', name: 'agent', body: { metadata: { labels: { a: 'b' } } } }, mergePatch);
    expect(labelled.metadata?.generation).toBe(1);
    const scaled = await apps.patchNamespacedDeployment({ namespace: 'crewai-org-3', name: 'agent', body: { spec: { replicas: 0 } } }, mergePatch);
    expect(scaled.metadata?.generation).toBe(2);
    expect(scaled.status?.observedGeneration).toBe(2);
    expect(scaled.status?.replicas).toBeUndefined();
    const read = await apps.readNamespacedDeployment({ namespace: 'crewai-org-3', name: 'agent' });
    const replaced = await apps.replaceNamespacedDeployment({ namespace: 'crewai-org-3', name: 'agent', body: read });
    expect([replaced.metadata?.resourceVersion, replaced.metadata?.generation]).toEqual([read.metadata?.resourceVersion, 2]); // read-modify-write without a change is a no-op
    const invalid = await rejection(
      apps.createNamespacedDeployment({
        namespace: 'crewai-org-3',
        body: { metadata: { name: 'empty' }, spec: { selector: { matchLabels: { app: 'x' } }, template: { metadata: { labels: { app: 'x' } } } } },
      }),
    );
    expect(invalid.status).toMatchObject({
      code: 422,
      message: 'Deployment.apps "empty" is invalid: spec.template.spec.containers: Required value',
      details: {
        name: 'empty',
        group: 'apps',
        kind: 'Deployment',
        causes: [{ reason: 'FieldValueRequired', message: 'Required value', field: 'spec.template.spec.containers' }],
      },
    });
  });
});

describe('kube-stub: validation', () => {
  beforeEach(() => stub.grantClusterWide());

  it('422 Invalid on an invalid name, with details.causes, per kind (label for namespaces, subdomain for secrets)', async () => {
    const ns = await rejection(core.createNamespace({ body: { metadata: { name: 'Crewai_Org' } } }));
    expect(ns.error.code).toBe(422);
    const labelRule =
      "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
    expect(ns.status).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: `Namespace "Crewai_Org" is invalid: metadata.name: Invalid value: "Crewai_Org": ${labelRule}`,
      reason: 'Invalid',
      details: {
        name: 'Crewai_Org',
        kind: 'Namespace',
        causes: [{ reason: 'FieldValueInvalid', message: `Invalid value: "Crewai_Org": ${labelRule}`, field: 'metadata.name' }],
      },
      code: 422,
    });
    expect((await rejection(core.createNamespace({ body: { metadata: { name: 'crewai.org' } } }))).status.details?.causes?.[0]?.message).toBe(
      'Invalid value: "crewai.org": must not contain dots',
    );
    const long = await rejection(core.createNamespace({ body: { metadata: { name: 'a'.repeat(64) } } }));
    expect(long.status.details?.causes?.map((c) => c.message)).toContain(`Invalid value: "${'a'.repeat(64)}": must be no more than 63 characters`);
    const unnamed = await rejection(core.createNamespace({ body: { metadata: {} } }));
    expect(unnamed.status.message).toBe('Namespace "" is invalid: metadata.name: Required value: name or generateName is required');
    stub.seedNamespace('crewai-org-1');
    await core.createNamespacedSecret({ namespace: 'crewai-org-1', body: { metadata: { name: 'docker.regcred' } } });
    const secret = await rejection(core.createNamespacedSecret({ namespace: 'crewai-org-1', body: { metadata: { name: 'Reg_Cred' } } }));
    expect(secret.status.message).toContain(
      'Secret "Reg_Cred" is invalid: metadata.name: Invalid value: "Reg_Cred": a lowercase RFC 1123 subdomain must consist of',
    );
  });

  it('secrets: stringData is stored as base64 data, type is kept, a dockerconfigjson secret needs its key', async () => {
    stub.seedNamespace('crewai-org-1');
    const dockerConfig = Buffer.from(JSON.stringify({ auths: { 'registry.example.com': { auth: 'dTpw' } } })).toString('base64');
    const created = await core.createNamespacedSecret({
      namespace: 'crewai-org-1',
      body: { metadata: { name: 'regcred' }, type: 'kubernetes.io/dockerconfigjson', data: { '.dockerconfigjson': dockerConfig }, stringData: { note: 'hi' } },
    });
    expect(created.type).toBe('kubernetes.io/dockerconfigjson');
    expect(created.data).toEqual({ '.dockerconfigjson': dockerConfig, note: 'aGk=' });
    expect(created.stringData).toBeUndefined();
    expect(stub.objects.secrets.get('crewai-org-1/regcred')).toMatchObject({ type: 'kubernetes.io/dockerconfigjson', data: { note: 'aGk=' } });
    const missing = await rejection(
      core.createNamespacedSecret({ namespace: 'crewai-org-1', body: { metadata: { name: 'bad' }, type: 'kubernetes.io/dockerconfigjson', data: {} } }),
    );
    expect(missing.status.message).toBe('Secret "bad" is invalid: data[.dockerconfigjson]: Required value');
    const notBase64 = await rejection(
      core.createNamespacedSecret({ namespace: 'crewai-org-1', body: { metadata: { name: 'bad' }, data: { a: 'not base64!' } } }),
    );
    expect(notBase64.status).toMatchObject({ code: 400, reason: 'BadRequest' });
  });

  it('malformed JSON answers 400 BadRequest; unknown paths 404 Status (after RBAC); /version is served', async () => {
    stub.seedNamespace('crewai-org-1');
    const raw = await fetch(`${stub.url}/api/v1/namespaces/crewai-org-1/secrets`, {
      method: 'POST',
      headers: { authorization: 'Bearer stub-token', 'content-type': 'application/json' },
      body: '{"metadata":',
    });
    expect(raw.status).toBe(400);
    expect(raw.headers.get('content-type')).toBe('application/json');
    expect(await raw.json()).toMatchObject({ kind: 'Status', reason: 'BadRequest', code: 400 });
    const configmaps = await rejection(core.listNamespacedConfigMap({ namespace: 'crewai-org-1' }));
    expect(configmaps.status).toMatchObject({ code: 404, reason: 'NotFound', message: 'the server could not find the requested resource' });
    stub.revokeClusterWide();
    expect((await rejection(core.listNamespacedConfigMap({ namespace: 'crewai-org-1' }))).error.code).toBe(403);
    const version = await fetch(`${stub.url}/version`, { headers: { authorization: 'Bearer stub-token' } });
    expect(await version.json()).toMatchObject({ major: '1' });
  });

  it('lists filter by label selector, page with limit/continue, and carry no kind on items', async () => {
    stub.seedNamespace('crewai-org-1', { 'crewai.io/managed': 'true' });
    stub.seedNamespace('crewai-org-2', { 'crewai.io/managed': 'true' });
    stub.seedNamespace('kube-system');
    const managed = await core.listNamespace({ labelSelector: 'crewai.io/managed=true' });
    expect(managed.items.map((n) => n.metadata?.name)).toEqual(['crewai-org-1', 'crewai-org-2']);
    expect(managed.kind).toBe('NamespaceList');
    expect(managed.items[0]?.kind).toBeUndefined();
    const page = await core.listNamespace({ limit: 2 });
    expect(page.items).toHaveLength(2);
    const rest = await core.listNamespace({ limit: 2, _continue: page.metadata?._continue ?? '' });
    expect(rest.items.map((n) => n.metadata?.name)).toEqual(['kube-system']);
  });
});

describe('kube-stub: failures, calls and the client', () => {
  it('failNext 503 answers once with ServiceUnavailable, then the request succeeds', async () => {
    stub.grantClusterWide();
    stub.failNext({ status: 503 });
    const { status } = await rejection(core.listNamespace());
    expect(status).toMatchObject({ code: 503, reason: 'ServiceUnavailable' });
    expect((await core.listNamespace()).items).toEqual([]);
    stub.failNext({ method: 'POST', path: /\/namespaces$/, status: 500, times: 2 });
    await core.listNamespace();
    for (let i = 0; i < 2; i += 1) expect((await rejection(core.createNamespace({ body: { metadata: { name: 'a' } } }))).status.reason).toBe('InternalError');
    await core.createNamespace({ body: { metadata: { name: 'a' } } });
    expect(stub.calls.map((c) => c.status)).toEqual([503, 200, 200, 500, 500, 201]);
  });

  it('delayMs with a client timeout surfaces AbortError; a hung request fails when the stub closes', async () => {
    stub.grantClusterWide();
    stub.failNext({ delayMs: 2_000 });
    const timedOut = await core.listNamespace({}, timeout(100)).then(
      () => null,
      (error: unknown) => error,
    );
    expect(timedOut).toBeInstanceOf(AbortError);
    stub.failNext({ delayMs: 50 });
    expect((await core.listNamespace()).items).toEqual([]);
    // Like a real apiserver, the stub finishes a request whose client gave up: a timed-out create may have happened.
    stub.failNext({ method: 'POST', delayMs: 150 });
    expect(await core.createNamespace({ body: { metadata: { name: 'late' } } }, timeout(20)).catch((error: unknown) => error)).toBeInstanceOf(AbortError);
    expect(stub.objects.namespaces.has('late')).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect(stub.objects.namespaces.has('late')).toBe(true);
    stub.failNext({ hang: true });
    const hung = core.listNamespace().then(
      () => null,
      (error: unknown) => error,
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(stub.calls.at(-1)?.status).toBe(0);
    await stub.close();
    expect(await hung).toBeInstanceOf(FetchError);
  });

  it('calls are recorded in order and counted by method, verb, resource, namespace and name', async () => {
    stub.grantClusterWide();
    await core.createNamespace({ body: { metadata: { name: 'crewai-org-1' } } });
    await core.createNamespacedSecret({ namespace: 'crewai-org-1', body: { metadata: { name: 'regcred' } } });
    await core.readNamespacedSecret({ namespace: 'crewai-org-1', name: 'regcred' });
    await core.readNamespace({ name: 'crewai-org-1' });
    await authz.createSelfSubjectAccessReview({ body: { spec: { resourceAttributes: { verb: 'get', resource: 'secrets' } } } });
    expect(stub.calls).toEqual([
      // A create's name comes from the object (the URL has none), as in an audit log.
      { method: 'POST', path: '/api/v1/namespaces', status: 201, verb: 'create', resource: 'namespaces', namespace: null, name: 'crewai-org-1' },
      {
        method: 'POST',
        path: '/api/v1/namespaces/crewai-org-1/secrets',
        status: 201,
        verb: 'create',
        resource: 'secrets',
        namespace: 'crewai-org-1',
        name: 'regcred',
      },
      {
        method: 'GET',
        path: '/api/v1/namespaces/crewai-org-1/secrets/regcred',
        status: 200,
        verb: 'get',
        resource: 'secrets',
        namespace: 'crewai-org-1',
        name: 'regcred',
      },
      // RequestInfo puts a namespace's own name in `namespace` too.
      {
        method: 'GET',
        path: '/api/v1/namespaces/crewai-org-1',
        status: 200,
        verb: 'get',
        resource: 'namespaces',
        namespace: 'crewai-org-1',
        name: 'crewai-org-1',
      },
      {
        method: 'POST',
        path: '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews',
        status: 201,
        verb: 'create',
        resource: 'selfsubjectaccessreviews',
        namespace: null,
        name: null,
      },
    ]);
    expect(stub.count({ verb: 'create' })).toBe(3);
    expect(stub.count({ method: 'get', resource: 'secrets' })).toBe(1);
    expect(stub.count({ resource: 'namespaces', namespace: null })).toBe(1);
    expect(stub.count({ namespace: 'crewai-org-1', name: 'regcred' })).toBe(2);
    expect(stub.count({ verb: 'create', resource: 'secrets', namespace: 'crewai-org-1', name: 'regcred' })).toBe(1);
    stub.resetCalls();
    expect(stub.calls).toEqual([]);
  });

  it('client-node surfaces ApiException: code, the Status JSON as a string in body, and a 401 without body', async () => {
    stub.grantClusterWide();
    stub.seedNamespace('crewai-org-1');
    const outcomes = [
      await rejection(core.readNamespacedSecret({ namespace: 'crewai-org-1', name: 'missing' })),
      await rejection(core.createNamespace({ body: { metadata: { name: 'crewai-org-1' } } })),
      await rejection(core.createNamespace({ body: { metadata: { name: 'No' } } })),
    ];
    stub.revokeClusterWide();
    outcomes.push(await rejection(core.listNamespace()));
    expect(outcomes.map(({ error, status }) => [error.code, status.reason])).toEqual([
      [404, 'NotFound'],
      [409, 'AlreadyExists'],
      [422, 'Invalid'],
      [403, 'Forbidden'],
    ]);
    const { error } = outcomes[0] ?? { error: undefined };
    expect(error?.message).toMatch(/^HTTP-Code: 404\nMessage: Unknown API Status Code!\nBody: "\{/);
    expect(error?.headers['content-type']).toBe('application/json');

    const wrong = new KubeConfig();
    wrong.loadFromOptions({
      clusters: [{ name: 'c', server: stub.url, skipTLSVerify: true }],
      users: [{ name: 'u', token: 'wrong' }],
      contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
      currentContext: 'x',
    });
    const unauthorized = await wrong
      .makeApiClient(CoreV1Api)
      .listNamespace()
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect(unauthorized).toBeInstanceOf(ApiException);
    if (!(unauthorized instanceof ApiException)) return;
    expect(unauthorized.code).toBe(401);
    expect(unauthorized.body).toBeUndefined();
    expect(stub.calls.at(-1)?.status).toBe(401);
  });
});
