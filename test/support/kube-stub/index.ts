/**
 * kube-stub: an in-process stand-in for the Kubernetes API server (namespaces, secrets,
 * deployments, services, SelfSubjectAccessReview), spoken to by the real @kubernetes/client-node over
 * HTTP on 127.0.0.1.
 *
 * How client-node 1.4 surfaces errors (asserted in test/kube-stub/kube-stub.test.ts):
 * - Any non-2xx answer rejects with `ApiException` (exported by the package): `error.code` is the
 *   HTTP status; `error.body` is the raw response TEXT - a string, so the Status is
 *   `JSON.parse(error.body)` → { kind: 'Status', reason, message, details, code }; `error.headers`
 *   has lower-cased names; `error.message` is "HTTP-Code: 404\nMessage: Unknown API Status Code!\n
 *   Body: ...". Exception: 401 rejects with message "Unauthorized" and `body === undefined`.
 * - Transport failures are not ApiException: node-fetch's `FetchError` (refused, reset, "socket
 *   hang up") and `AbortError` (the request's AbortSignal fired); both exported by the package.
 *   There is no per-call timeout option: set one with a middleware whose `pre` calls
 *   `context.setSignal(AbortSignal.timeout(ms))` (see `timeout()` in the tests).
 * - patch* methods send `Content-Type: application/json-patch+json` unless told otherwise: pass
 *   `setHeaderOptions('Content-Type', PatchStrategy.MergePatch)` as the 2nd argument to send an
 *   object (an object sent as JSON patch is a 400, here as in Kubernetes).
 * - Answers are deserialised into model classes: timestamps become `Date`s. deleteNamespace is
 *   typed V1Status but receives the Namespace (Terminating); deleting a secret or deployment
 *   receives a Status { status: 'Success', details: { name, kind, uid } }.
 *
 * Fidelity notes: reading an object in a missing namespace is `secrets "y" not found` (only
 * creates name the namespace); PUT with a body naming another object is 400 BadRequest
 * (handlers.checkName), not 422; non-resource paths outside discovery are 403 (RBAC), unknown
 * resources under /api(s) are 404 after RBAC. Namespace deletion is immediate (with the
 * namespace's RoleBinding); strategic merge patch is a JSON merge patch; server-side apply,
 * watch, deletecollection and subresources (status, scale) are not served. A request delayed by
 * failNext({ delayMs }) still executes after the delay even if the client gave up.
 * Recorded calls follow the apiserver's RequestInfo / audit objectRef: GET /api/v1/namespaces/x
 * records namespace 'x' and name 'x'; a create records the name from the posted object.
 */
import { KubeConfig } from '@kubernetes/client-node';
import { FailureQueue } from './failures.js';
import { namespaceKind } from './kind-namespace.js';
import { secretKind } from './kind-secret.js';
import { Rbac } from './rbac.js';
import { seed } from './seed.js';
import { listen } from './server.js';
import { Store } from './store.js';
import type { CallFilter, KubeStub, KubeStubOptions, RecordedCall } from './types.js';

export type { CallFilter, Failure, KubeStub, KubeStubObjects, KubeStubOptions, PolicyRule, RecordedCall } from './types.js';

const STUB_TOKEN = 'stub-token';
const DEFAULT_SERVICE_ACCOUNT = 'system:serviceaccount:crewai:gatehouse';

function matchesFilter(call: RecordedCall, filter: CallFilter): boolean {
  return (
    (filter.method === undefined || call.method === filter.method.toUpperCase()) &&
    (filter.verb === undefined || call.verb === filter.verb) &&
    (filter.resource === undefined || call.resource === filter.resource) &&
    (filter.namespace === undefined || call.namespace === filter.namespace) &&
    (filter.name === undefined || call.name === filter.name)
  );
}

export async function startKubeStub(options: KubeStubOptions = {}): Promise<KubeStub> {
  const store = new Store();
  const rbac = new Rbac(options.serviceAccount ?? DEFAULT_SERVICE_ACCOUNT);
  const failures = new FailureQueue();
  const calls: RecordedCall[] = [];
  const server = await listen({ store, rbac, failures, calls, token: STUB_TOKEN });
  let closing: Promise<void> | undefined;

  return {
    url: server.url,
    kubeConfig() {
      const kc = new KubeConfig();
      kc.loadFromOptions({
        clusters: [{ name: 'kube-stub', server: server.url, skipTLSVerify: true }],
        users: [{ name: 'gatehouse', token: STUB_TOKEN }],
        contexts: [{ name: 'kube-stub', cluster: 'kube-stub', user: 'gatehouse' }],
        currentContext: 'kube-stub',
      });
      return kc;
    },
    calls,
    count: (filter) => calls.filter((call) => matchesFilter(call, filter)).length,
    resetCalls() {
      calls.length = 0;
    },
    grantClusterWide: (rules) => rbac.grantClusterWide(rules),
    revokeClusterWide: () => rbac.revokeClusterWide(),
    bindInNamespace: (namespace, rules) => rbac.bindInNamespace(namespace, rules),
    unbindNamespace: (namespace) => rbac.unbindNamespace(namespace),
    failNext: (failure) => failures.add(failure),
    releaseHung() {
      const answers = failures.hung.splice(0);
      for (const answer of answers) answer();
      return answers.length;
    },
    setLatency(latency) {
      failures.latency = latency;
    },
    objects: { namespaces: store.namespaces, secrets: store.secrets, deployments: store.deployments, services: store.services },
    seedNamespace(name, labels) {
      seed(store, namespaceKind, '', { metadata: labels ? { name, labels } : { name } });
    },
    seedSecret(namespace, name, type, data) {
      seed(store, secretKind, namespace, { metadata: { name, namespace }, type, data });
    },
    close() {
      failures.clear();
      closing ??= server.close();
      return closing;
    },
  };
}
