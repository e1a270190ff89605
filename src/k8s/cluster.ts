import {
  AppsV1Api,
  AuthorizationV1Api,
  CoreV1Api,
  createConfiguration,
  VersionApi,
  ServerConfiguration,
  type KubeConfig,
  type V1Deployment,
  type V1Namespace,
  type V1Secret,
  type V1Service,
} from '@kubernetes/client-node';
import { KubeCallError } from './kube-error.js';
import { SupersededError } from './superseded-error.js';
import { toKubeCallError } from './to-kube-call-error.js';
import { MANIFEST_HASH_ANNOTATION, VERSION_LABEL } from './labels.js';
import { UnreachableCaseError } from '../errors.js';

export interface Applied {
  resourceVersion: string | null;
  /** False when the object already was as wanted and nothing was written. */
  changed: boolean;
}

/**
 * The few Kubernetes operations Gatehouse performs, through @kubernetes/client-node. Every write
 * is idempotent: create, and on 409 AlreadyExists compare and replace only what differs, never
 * an object that already carries a newer version of the automation.
 */
export class Cluster {
  private readonly core: CoreV1Api;
  private readonly apps: AppsV1Api;
  private readonly authorization: AuthorizationV1Api;
  private readonly versionApi: VersionApi;

  constructor(
    kubeConfig: KubeConfig,
    private readonly timeoutMs = 10_000,
  ) {
    const cluster = kubeConfig.getCurrentCluster();
    if (!cluster) throw new Error('The Kubernetes configuration has no current cluster.');
    // What KubeConfig.makeApiClient builds, plus a per-request AbortSignal: a request without an
    // answer within the timeout is cancelled, not only abandoned.
    const configuration = createConfiguration({
      baseServer: new ServerConfiguration(cluster.server, {}),
      authMethods: { default: kubeConfig },
      promiseMiddleware: [
        {
          pre: async (context) => {
            context.setSignal(AbortSignal.timeout(timeoutMs));
            return context;
          },
          post: async (response) => response,
        },
      ],
    });
    this.core = new CoreV1Api(configuration);
    this.apps = new AppsV1Api(configuration);
    this.authorization = new AuthorizationV1Api(configuration);
    this.versionApi = new VersionApi(configuration);
  }

  /** The API server's version (`GET /version`, readable by any authenticated client): /readyz's reachability check. */
  async version(): Promise<string> {
    const info = await this.call({ verb: 'get', resource: 'version', namespace: null, name: null }, () => this.versionApi.getCode());
    return info.gitVersion;
  }

  /** One API call, bounded by the request timeout (a backstop to the AbortSignal): a hung API server becomes a retryable failure. */
  private async call<T>(call: KubeCallError['call'], run: () => Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new KubeCallError(0, 'Timeout', `no answer within ${this.timeoutMs} ms`, call)), this.timeoutMs);
    });
    try {
      return await Promise.race([run(), timeout]);
    } catch (error) {
      throw toKubeCallError(error, call);
    } finally {
      clearTimeout(timer);
    }
  }

  /** The namespace, or null when it does not exist (404). */
  async readNamespace(name: string): Promise<V1Namespace | null> {
    try {
      return await this.call({ verb: 'get', resource: 'namespaces', namespace: null, name }, () => this.core.readNamespace({ name }));
    } catch (error) {
      if (error instanceof KubeCallError && error.status === 404) return null;
      throw error;
    }
  }

  /** Creates the namespace; one that already exists (409) counts as created. */
  async createNamespace(body: V1Namespace): Promise<void> {
    try {
      await this.call({ verb: 'create', resource: 'namespaces', namespace: null, name: body.metadata?.name ?? null }, () =>
        this.core.createNamespace({ body }),
      );
    } catch (error) {
      if (!(error instanceof KubeCallError && error.status === 409)) throw error;
    }
  }

  async readSecret(namespace: string, name: string): Promise<V1Secret | null> {
    try {
      return await this.call({ verb: 'get', resource: 'secrets', namespace, name }, () => this.core.readNamespacedSecret({ namespace, name }));
    } catch (error) {
      if (error instanceof KubeCallError && error.status === 404) return null;
      throw error;
    }
  }

  async applySecret(namespace: string, body: V1Secret): Promise<Applied> {
    const name = body.metadata?.name ?? '';
    return this.apply(
      { resource: 'secrets', namespace, name },
      body,
      () => this.core.createNamespacedSecret({ namespace, body }),
      () => this.core.readNamespacedSecret({ namespace, name }),
      (current) =>
        this.core.replaceNamespacedSecret({
          namespace,
          name,
          body: { ...body, metadata: { ...body.metadata, resourceVersion: current.metadata?.resourceVersion } },
        }),
      (current) => sameHash(current.metadata?.annotations, body.metadata?.annotations),
    );
  }

  /** The Deployment with its status (a rollout's progress), or null when it does not exist (404). */
  async readDeployment(namespace: string, name: string): Promise<V1Deployment | null> {
    try {
      return await this.call({ verb: 'get', resource: 'deployments', namespace, name }, () => this.apps.readNamespacedDeployment({ namespace, name }));
    } catch (error) {
      if (error instanceof KubeCallError && error.status === 404) return null;
      throw error;
    }
  }

  async applyDeployment(namespace: string, body: V1Deployment): Promise<Applied> {
    const name = body.metadata?.name ?? '';
    return this.apply(
      { resource: 'deployments', namespace, name },
      body,
      () => this.apps.createNamespacedDeployment({ namespace, body }),
      () => this.apps.readNamespacedDeployment({ namespace, name }),
      (current) =>
        this.apps.replaceNamespacedDeployment({
          namespace,
          name,
          body: { ...body, metadata: { ...body.metadata, resourceVersion: current.metadata?.resourceVersion } },
        }),
      (current) => sameHash(current.metadata?.annotations, body.metadata?.annotations),
    );
  }

  /**
   * The Service of an automation. A replace leaves spec.clusterIP unset: the API server keeps the
   * allocated address (the field is immutable, and an empty value means "keep").
   */
  async applyService(namespace: string, body: V1Service): Promise<Applied> {
    const name = body.metadata?.name ?? '';
    return this.apply(
      { resource: 'services', namespace, name },
      body,
      () => this.core.createNamespacedService({ namespace, body }),
      () => this.core.readNamespacedService({ namespace, name }),
      (current) =>
        this.core.replaceNamespacedService({
          namespace,
          name,
          body: { ...body, metadata: { ...body.metadata, resourceVersion: current.metadata?.resourceVersion } },
        }),
      (current) => sameHash(current.metadata?.annotations, body.metadata?.annotations),
    );
  }

  /** Deletes; an object already gone (404) counts as deleted. */
  async deleteObject(kind: 'Secret' | 'Deployment' | 'Service', namespace: string, name: string): Promise<void> {
    const resource = kind === 'Secret' ? 'secrets' : kind === 'Deployment' ? 'deployments' : 'services';
    try {
      await this.call({ verb: 'delete', resource, namespace, name }, (): Promise<unknown> => {
        switch (kind) {
          case 'Secret':
            return this.core.deleteNamespacedSecret({ namespace, name });
          case 'Deployment':
            return this.apps.deleteNamespacedDeployment({ namespace, name });
          case 'Service':
            return this.core.deleteNamespacedService({ namespace, name });
          default:
            throw new UnreachableCaseError(kind);
        }
      });
    } catch (error) {
      if (!(error instanceof KubeCallError && error.status === 404)) throw error;
    }
  }

  /** SelfSubjectAccessReview: may the gateway's own identity do this? */
  async canI(namespace: string, verb: string, resource: string, group: string): Promise<boolean> {
    const review = await this.call({ verb: 'create', resource: 'selfsubjectaccessreviews', namespace: null, name: null }, () =>
      this.authorization.createSelfSubjectAccessReview({ body: { spec: { resourceAttributes: { namespace, verb, resource, group } } } }),
    );
    return review.status?.allowed === true;
  }

  private async apply<T extends { metadata?: { resourceVersion?: string; labels?: Record<string, string> } }>(
    target: { resource: string; namespace: string; name: string },
    wanted: { metadata?: { labels?: Record<string, string> } },
    create: () => Promise<T>,
    read: () => Promise<T>,
    replace: (current: T) => Promise<T>,
    asWanted: (current: T) => boolean,
  ): Promise<Applied> {
    const call = (verb: string) => ({ verb, ...target });
    const version = versionOf(wanted);
    // Create first (a new automation's objects exist nowhere); on 409 AlreadyExists read, compare
    // and replace with the resourceVersion read as a precondition. Whoever wrote in between (409
    // Conflict), or deleted (404), makes us read again: a newer version than ours is never
    // overwritten (SupersededError), an older one is.
    let exists = false;
    for (let attempt = 1; attempt <= APPLY_ATTEMPTS; attempt++) {
      if (!exists) {
        try {
          const created = await this.call(call('create'), create);
          return { resourceVersion: created.metadata?.resourceVersion ?? null, changed: true };
        } catch (error) {
          if (!(error instanceof KubeCallError && error.status === 409)) throw error;
        }
      }
      let current: T;
      try {
        current = await this.call(call('get'), read);
      } catch (error) {
        if (!(error instanceof KubeCallError && error.status === 404)) throw error;
        exists = false;
        continue;
      }
      exists = true;
      const running = versionOf(current);
      if (version !== null && running !== null && running > version) throw new SupersededError(running, { ...target, verb: 'update' });
      if (asWanted(current)) return { resourceVersion: current.metadata?.resourceVersion ?? null, changed: false };
      try {
        const replaced = await this.call(call('update'), () => replace(current));
        return { resourceVersion: replaced.metadata?.resourceVersion ?? null, changed: true };
      } catch (error) {
        if (!(error instanceof KubeCallError && (error.status === 409 || error.status === 404))) throw error;
        exists = error.status === 409;
      }
    }
    throw new KubeCallError(
      409,
      'Conflict',
      `the object changed under every one of ${APPLY_ATTEMPTS} attempts to write it`,
      call(exists ? 'update' : 'create'),
    );
  }
}

/** Read-compare-write rounds before a write that keeps losing to other writers is given up (as a retryable 409). */
const APPLY_ATTEMPTS = 5;

/** The automation version an object was applied for (its gatehouse.dev/version label), or null. */
function versionOf(object: { metadata?: { labels?: Record<string, string> } }): number | null {
  const value = Number(object.metadata?.labels?.[VERSION_LABEL]);
  return Number.isSafeInteger(value) && value > 0 ? value : null;
}

/**
 * "Already as wanted": the API server adds defaults to what it stores, so objects are compared by
 * the hash of the manifest Gatehouse applied (src/k8s/manifests.ts), not field by field.
 */
function sameHash(current: Record<string, string> | undefined, wanted: Record<string, string> | undefined): boolean {
  const hash = wanted?.[MANIFEST_HASH_ANNOTATION];
  return hash !== undefined && current?.[MANIFEST_HASH_ANNOTATION] === hash;
}
