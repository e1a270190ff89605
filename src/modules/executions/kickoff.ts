/** What a kickoff came to: delivered (a 2xx), or why not, in words the caller can act on. */
export type KickoffOutcome = { delivered: true } | { delivered: false; reason: string };

const BODY_EXCERPT = 300;

/** The start of a response body, for the reason; never more than a few hundred bytes read. */
async function excerpt(response: Response): Promise<string> {
  const reader = response.body?.getReader();
  if (!reader) return '';
  let text = '';
  const decoder = new TextDecoder();
  try {
    while (text.length < BODY_EXCERPT) {
      const { done, value } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
  } catch {
    // A body cut off after the status line still leaves the status to report.
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  const trimmed = text.replace(/\s+/g, ' ').trim();
  return trimmed.length > BODY_EXCERPT ? `${trimmed.slice(0, BODY_EXCERPT)}…` : trimmed;
}

function causeOf(error: unknown): string {
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  const code = typeof cause === 'object' && cause !== null && 'code' in cause && typeof cause.code === 'string' ? cause.code : null;
  const message = cause instanceof Error ? cause.message : String(cause);
  return code && !message.includes(code) ? `${code}: ${message}` : message;
}

/**
 * POSTs `{ executionId, inputs }` to the automation's runtime. Redirects are not followed: the
 * address comes from configuration, and a runtime that redirects is misconfigured.
 */
export async function sendKickoff(url: string, body: string, timeoutMs: number, requestId: string): Promise<KickoffOutcome> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': requestId },
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    if (error instanceof DOMException && error.name === 'TimeoutError') {
      return {
        delivered: false,
        reason: `The automation's runtime at ${url} did not answer the kickoff within ${timeoutMs} ms (RUNNER_TIMEOUT_MS). Check that its pod is ready, then run it again.`,
      };
    }
    return {
      delivered: false,
      reason: `The automation's runtime at ${url} could not be reached (${causeOf(error)}). Check that it is deployed and its pod is ready, then run it again.`,
    };
  }
  if (response.status >= 200 && response.status < 300) {
    await response.body?.cancel().catch(() => undefined);
    return { delivered: true };
  }
  const said = await excerpt(response);
  return { delivered: false, reason: `The automation's runtime at ${url} refused the kickoff with HTTP ${response.status}${said ? `: ${said}` : ''}.` };
}
