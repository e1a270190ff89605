import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { parseTargetUrl, resolveTarget, TargetRefused, type Lookup, type ResolvedTarget, type TargetPolicy } from './webhook-target.js';

/** One message to one endpoint: the delivery's id is the `webhook-id`. */
export interface OutgoingMessage {
  id: string;
  url: string;
  /** The `whsec_…` secret. */
  secret: string;
  body: string;
}

/** What an attempt came to, as recorded in webhook_attempts. */
export interface AttemptOutcome {
  startedAt: Date;
  durationMs: number;
  succeeded: boolean;
  statusCode: number | null;
  error: string | null;
  responseBody: string | null;
}

const RESPONSE_EXCERPT_BYTES = 1024;
const USER_AGENT = 'Gatehouse-Webhooks/1';

/**
 * The Standard Webhooks headers for this message at this instant. The signature is computed by
 * the `standardwebhooks` package (the specification's reference library): `v1,` and the base64
 * HMAC-SHA256, keyed with the secret's bytes, of `${id}.${timestamp}.${body}`. It is computed
 * again for every attempt, whose timestamp receivers hold to a tolerance (5 minutes in the library).
 */
export function signatureHeaders(message: Pick<OutgoingMessage, 'id' | 'secret' | 'body'>, at: Date): Record<string, string> {
  return {
    'webhook-id': message.id,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': new Webhook(message.secret).sign(message.id, at, message.body),
  };
}

/** Connects to the address that was checked, whatever the name would resolve to now (DNS rebinding). */
function pinnedLookup(target: ResolvedTarget): LookupFunction {
  return ((_hostname: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) => {
    if (options.all) callback(null, [{ address: target.address, family: target.family }]);
    else callback(null, target.address, target.family);
  }) as unknown as LookupFunction;
}

function post(target: ResolvedTarget, headers: Record<string, string>, body: string, timeoutMs: number): Promise<{ statusCode: number; excerpt: string }> {
  const { url } = target;
  const transport = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    let settled = false;
    const settle = (finish: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      finish();
    };
    const request = transport.request({
      protocol: url.protocol,
      hostname: url.hostname.replace(/^\[(.*)\]$/, '$1'),
      port: url.port || undefined,
      path: `${url.pathname}${url.search}`,
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), 'user-agent': USER_AGENT },
      lookup: pinnedLookup(target),
      // One connection per attempt: nothing pooled outlives the attempt's timeout or claim.
      agent: false,
    });
    // The whole exchange, connect to the last byte read, within the timeout.
    const timer = setTimeout(() => {
      const error = new Error(`no answer within ${timeoutMs} ms (WEBHOOK_TIMEOUT_MS)`);
      settle(() => reject(error));
      request.destroy(error);
    }, timeoutMs);
    request.on('error', (error) => settle(() => reject(error)));
    request.on('response', (response) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const done = () =>
        settle(() => resolve({ statusCode: response.statusCode ?? 0, excerpt: Buffer.concat(chunks).toString('utf8').slice(0, RESPONSE_EXCERPT_BYTES) }));
      response.on('data', (chunk: Buffer) => {
        if (size < RESPONSE_EXCERPT_BYTES) chunks.push(chunk);
        size += chunk.length;
        // Enough of the answer is read; the rest is not waited for.
        if (size >= RESPONSE_EXCERPT_BYTES) {
          done();
          response.destroy();
        }
      });
      response.on('end', done);
      response.on('error', (error) => settle(() => reject(error)));
      response.on('close', () => settle(() => reject(new Error('the connection closed before the answer was complete'))));
    });
    request.end(body);
  });
}

/**
 * One attempt: the target is checked again (it may resolve elsewhere since registration), signed
 * at this instant and POSTed. Only a 2xx is a success; redirects are not followed.
 */
export async function sendWebhook(message: OutgoingMessage, policy: TargetPolicy, timeoutMs: number, lookup?: Lookup): Promise<AttemptOutcome> {
  const startedAt = new Date();
  const started = performance.now();
  const outcome = (fields: Omit<AttemptOutcome, 'startedAt' | 'durationMs'>): AttemptOutcome => ({
    startedAt,
    durationMs: Math.round(performance.now() - started),
    ...fields,
  });
  let target: ResolvedTarget;
  try {
    target = await resolveTarget(parseTargetUrl(message.url, policy), policy, lookup);
  } catch (error) {
    if (!(error instanceof TargetRefused)) throw error;
    return outcome({ succeeded: false, statusCode: null, error: `not sent: the URL ${error.message}`, responseBody: null });
  }
  try {
    const { statusCode, excerpt } = await post(target, signatureHeaders(message, new Date()), message.body, timeoutMs);
    const succeeded = statusCode >= 200 && statusCode < 300;
    let error: string | null = null;
    if (statusCode >= 300 && statusCode < 400) error = `answered ${statusCode}: redirects are not followed; register the final URL`;
    else if (!succeeded) error = `answered ${statusCode}; only a 2xx acknowledges a delivery`;
    return outcome({ succeeded, statusCode, error, responseBody: excerpt || null });
  } catch (error) {
    return outcome({ succeeded: false, statusCode: null, error: error instanceof Error ? error.message : String(error), responseBody: null });
  }
}
