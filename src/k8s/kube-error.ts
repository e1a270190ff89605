// No import of @kubernetes/client-node here: the deploy and namespace code that checks for a
// KubeCallError is loaded with the server, the client only once a cluster is configured
// (src/k8s/open-cluster.ts). Turning the client's errors into this one is to-kube-call-error.ts.

/**
 * A failed Kubernetes call, reduced to what the messages need: the HTTP status (0 when no answer
 * came: timeout, refused connection), the Status reason and message, and what was being done.
 */
export class KubeCallError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
    readonly detail: string,
    readonly call: { verb: string; resource: string; namespace: string | null; name: string | null },
  ) {
    super(
      `${call.verb} ${call.resource}${call.name ? ` "${call.name}"` : ''}${call.namespace ? ` in namespace "${call.namespace}"` : ''}: ${status || 'no answer'} ${reason} ${detail}`,
    );
  }

  /**
   * 5xx, 429, 409 (another writer got there first: a retry reads again) and no answer at all are
   * worth retrying; other 4xx are not, until someone fixes something.
   */
  get retryable(): boolean {
    return this.status === 0 || this.status === 409 || this.status === 429 || this.status >= 500;
  }
}
