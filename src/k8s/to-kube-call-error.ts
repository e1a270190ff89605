import { ApiException } from '@kubernetes/client-node';
import { KubeCallError } from './kube-error.js';

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

/** What a call through @kubernetes/client-node failed with, as a KubeCallError; imported by the Cluster only. */
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
