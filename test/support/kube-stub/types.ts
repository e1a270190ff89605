import type { KubeConfig } from '@kubernetes/client-node';

/** Public API of the stub (re-exported by index.ts). */

export interface KubeStubOptions {
  /** The user the bearer token authenticates as; default 'system:serviceaccount:crewai:gatehouse'. */
  serviceAccount?: string;
}

export interface RecordedCall {
  method: string;
  /** URL path without the query string, as sent (percent-encoding kept). */
  path: string;
  /** HTTP status answered; 0 while the request is pending (delayed, or hung by `failNext({ hang: true })`). */
  status: number;
  /** Kubernetes verb (get, list, create, update, patch, delete, deletecollection, watch); lower-case method for non-resource paths. */
  verb: string;
  /** Resource plural ('' for non-resource paths such as /version). */
  resource: string;
  /**
   * Namespace as the apiserver's RequestInfo sees it: for `/api/v1/namespaces/{name}` that is `name`
   * itself (so a RoleBinding in `name` can grant `get namespaces`); null when cluster-scoped.
   */
  namespace: string | null;
  /** From the URL; for a create, the object's metadata.name (as an audit log's objectRef has it). */
  name: string | null;
}

export interface Failure {
  method?: string;
  /** Tested against the URL path (without query string). */
  path?: RegExp;
  /** Status to answer (e.g. 500, 503). Without status, delayMs or hang the failure answers 500. */
  status?: number;
  /** How many matching requests this failure applies to; default 1. */
  times?: number;
  /** Delay before answering; without `status` the request is then served normally. */
  delayMs?: number;
  /** Never answer (the socket is destroyed by close()). */
  hang?: boolean;
}

export interface PolicyRule {
  verbs: string[];
  resources: string[];
}

export interface CallFilter {
  method?: string;
  verb?: string;
  resource?: string;
  namespace?: string | null;
  name?: string;
}

export interface KubeStubObjects {
  namespaces: Map<string, object>;
  /** Keyed 'namespace/name'. */
  secrets: Map<string, object>;
  /** Keyed 'namespace/name'. */
  deployments: Map<string, object>;
  /** Keyed 'namespace/name'. */
  services: Map<string, object>;
}

export interface KubeStub {
  url: string;
  kubeConfig(): KubeConfig;
  calls: RecordedCall[];
  count(filter: CallFilter): number;
  resetCalls(): void;
  grantClusterWide(rules?: PolicyRule[]): void;
  revokeClusterWide(): void;
  bindInNamespace(namespace: string, rules: PolicyRule[]): void;
  unbindNamespace(namespace: string): void;
  failNext(failure: Failure): void;
  /** Answers every request hung so far with 504 GatewayTimeout; returns how many there were. */
  releaseHung(): number;
  /** Delays every request by what `latency` returns (ms), before any injected failure; null turns it off. */
  setLatency(latency: ((method: string, path: string) => number) | null): void;
  objects: KubeStubObjects;
  seedNamespace(name: string, labels?: Record<string, string>): void;
  seedSecret(namespace: string, name: string, type: string, data: Record<string, string>): void;
  close(): Promise<void>;
}

/** Internal: a decoded JSON object. */
export type JsonObject = Record<string, unknown>;

/** Internal: a response the router hands to the HTTP layer. */
export interface Reply {
  code: number;
  body: unknown;
}
