import type { K8sConfig } from '../../config.js';
import type { HitlRequestRow } from './hitl.table.js';

/** What the automation receives: the request it raised, the answer, and who gave it. */
export interface ForwardPayload {
  requestId: string;
  answer: Record<string, unknown>;
  answeredBy: { principalType: 'USER' | 'SERVICE_ACCOUNT'; id: string; name: string } | null;
}

export type ForwardOutcome = { delivered: true } | { delivered: false; error: string };

const RETRY_HINT = 'The answer is recorded; retry the delivery with Mutation.retryHitlForward.';

/**
 * The automation's in-cluster address from HITL_FORWARD_URL_TEMPLATE. A request that named a
 * callbackPath gets that path on the same origin: the automation chooses where on its own Service
 * the answer lands, never which host receives it.
 */
export function forwardUrl(config: K8sConfig, request: HitlRequestRow, namespace: string): URL {
  const values: Record<string, string> = {
    automationId: request.automationId,
    namespace,
    organizationId: String(request.organizationId),
    requestId: request.id,
  };
  const url = new URL(
    config.hitlForwardUrlTemplate.replace(/\{(\w+)\}/g, (whole, name: string) => (name in values ? encodeURIComponent(values[name] ?? '') : whole)),
  );
  if (request.callbackPath === null) return url;
  const custom = new URL(request.callbackPath, url.origin);
  if (custom.origin !== url.origin) throw new Error(`callbackPath ${JSON.stringify(request.callbackPath)} leaves the automation's origin.`);
  return custom;
}

function reason(error: unknown): string {
  if (error instanceof Error && error.name === 'TimeoutError') return 'timeout';
  // Node's fetch reports the socket error (ECONNREFUSED, ENOTFOUND, …) as the cause.
  const cause = error instanceof Error ? error.cause : undefined;
  if (cause instanceof Error) return 'code' in cause && typeof cause.code === 'string' ? cause.code : cause.message;
  return error instanceof Error ? error.message : String(error);
}

/** POSTs the answer as JSON; only a 2xx counts as delivered. Redirects are not followed. */
export async function postAnswer(url: URL, payload: ForwardPayload, timeoutMs: number): Promise<ForwardOutcome> {
  let status: number;
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(payload),
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
    status = response.status;
    // Only the status matters; releasing the body frees the connection.
    await response.body?.cancel().catch(() => undefined);
  } catch (error) {
    const why = reason(error);
    return {
      delivered: false,
      error:
        why === 'timeout'
          ? `The automation did not answer within ${timeoutMs} ms at ${url.href} (HITL_FORWARD_TIMEOUT_MS). ${RETRY_HINT}`
          : `Could not reach the automation at ${url.href} (${why}): is it deployed and running? ${RETRY_HINT}`,
    };
  }
  if (status >= 200 && status < 300) return { delivered: true };
  return { delivered: false, error: `The automation answered HTTP ${status} at ${url.href}; check its logs. ${RETRY_HINT}` };
}
