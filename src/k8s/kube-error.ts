import { ApiException } from '@kubernetes/client-node';

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
    super(`${call.verb} ${call.resource}${call.name ? ` "${call.name}"` : ''}${call.namespace ? ` in namespace "${call.namespace}"` : ''}: ${status || 'no answer'} ${reason} ${detail}`);
  }

  /**
   * 5xx, 429, 409 (another writer got there first: a retry reads again) and no answer at all are
   * worth retrying; other 4xx are not, until someone fixes something.
   */
  get retryable(): boolean {
    return this.status === 0 || this.status === 409 || this.status === 429 || this.status >= 500;
  }
}

interface StatusBody {
  reason?: unknown;
  message?: unknown;
}

function statusBody(body: unknown): StatusBody {
  if (typeof body === 'string') {
    try {
      const parsed: unknown = JSON.parse(body);
      return typeof parsed === 'object' && parsed !== null ? parsed : {};
    } catch {
      return { message: body };
    }
  }
  return typeof body === 'object' && body !== null ? body : {};
}

export function toKubeCallError(error: unknown, call: KubeCallError['call']): KubeCallError {
  if (error instanceof KubeCallError) return error;
  if (error instanceof ApiException) {
    const body = statusBody(error.body);
    return new KubeCallError(
      error.code,
      typeof body.reason === 'string' ? body.reason : `HTTP${error.code}`,
      typeof body.message === 'string' ? body.message : '',
      call,
    );
  }
  const message = error instanceof Error ? error.message : String(error);
  return new KubeCallError(0, 'Unavailable', message, call);
}
