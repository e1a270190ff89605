import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { Db } from '../db/database.js';
import { PayloadTooLargeError, readBodyBytes } from '../http/read-body.js';
import { insertHitlRequest } from '../modules/hitl/hitl.repository.js';
import { inTransaction } from '../db/transaction.js';
import { enqueueWebhookEvent } from '../modules/webhooks/enqueue-event.js';
import { authenticateIngest } from './authenticate-ingest.js';

export const HITL_REQUESTS_PATH = '/v1/hitl-requests';
export const HITL_BODY_MAX_BYTES = 256 * 1024;

const QUESTION_MAX = 4000;
const EXPIRES_MIN = 60;
const EXPIRES_MAX = 604_800;
const EXPIRES_DEFAULT = 86_400;
const EXECUTION_ID = /^[\x21-\x7e]{1,200}$/;
// An absolute path (and query) on the automation's own Service; `//` would name another host.
const CALLBACK_PATH = /^\/(?!\/)[A-Za-z0-9\-._~!$&'()*+,;=:@%/]{0,510}(\?[A-Za-z0-9\-._~!$&'()*+,;=:@%/?]*)?$/;
const FIELDS = new Set(['question', 'context', 'executionId', 'expiresInSeconds', 'callbackPath']);

interface Refusal {
  status: number;
  error: string;
  message: string;
  field?: string;
  headers?: Record<string, string>;
}

interface HitlInput {
  question: string;
  context: Record<string, unknown>;
  executionId: string | null;
  expiresInSeconds: number;
  callbackPath: string | null;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const invalid = (field: string, message: string): Refusal => ({ status: 400, error: 'BAD_USER_INPUT', field, message: `${field} ${message}` });
// PostgreSQL text and jsonb cannot hold NUL; refused here rather than failing the insert.
const hasNul = (text: string) => text.includes('\u0000');
const CONTEXT_MAX_DEPTH = 32;

/** True when the context is storable: no NUL anywhere, nested at most CONTEXT_MAX_DEPTH deep (256 KiB of `[` would overflow the stack). */
function storable(value: unknown, depth = 0): boolean {
  if (typeof value === 'string') return !hasNul(value);
  if (typeof value !== 'object' || value === null) return true;
  return depth < CONTEXT_MAX_DEPTH && Object.entries(value).every(([key, item]) => !hasNul(key) && storable(item, depth + 1));
}

/** The body's fields, each checked by type guard; the first problem names its field. */
export function parseHitlInput(body: unknown): HitlInput | Refusal {
  if (!isObject(body))
    return invalid('body', 'must be a JSON object: { "question": "…", "context"?: {…}, "executionId"?, "expiresInSeconds"?, "callbackPath"? }.');
  const unknown = Object.keys(body).find((key) => !FIELDS.has(key));
  if (unknown !== undefined) return invalid(unknown, `is not a field of a human-in-the-loop request; the fields are ${[...FIELDS].join(', ')}.`);
  const { question, context, executionId, expiresInSeconds, callbackPath } = body;
  // char_length in PostgreSQL counts code points, as the spread does.
  if (typeof question !== 'string' || question.trim() === '' || [...question].length > QUESTION_MAX || hasNul(question)) {
    return invalid('question', `must be a string of 1 to ${QUESTION_MAX} characters (not only spaces, no NUL).`);
  }
  if (context !== undefined && (!isObject(context) || !storable(context))) {
    return invalid('context', `must be a JSON object without NUL characters, nested at most ${CONTEXT_MAX_DEPTH} levels deep.`);
  }
  if (executionId !== undefined && (typeof executionId !== 'string' || !EXECUTION_ID.test(executionId))) {
    return invalid('executionId', 'must be 1 to 200 printable ASCII characters without spaces.');
  }
  if (
    expiresInSeconds !== undefined &&
    (typeof expiresInSeconds !== 'number' || !Number.isInteger(expiresInSeconds) || expiresInSeconds < EXPIRES_MIN || expiresInSeconds > EXPIRES_MAX)
  ) {
    return invalid('expiresInSeconds', `must be a whole number from ${EXPIRES_MIN} to ${EXPIRES_MAX} (7 days); the default is ${EXPIRES_DEFAULT}.`);
  }
  if (callbackPath !== undefined && (typeof callbackPath !== 'string' || !CALLBACK_PATH.test(callbackPath))) {
    return invalid('callbackPath', 'must be an absolute path such as "/hitl/answers" (at most 512 characters, URL-safe), on the automation\'s own Service.');
  }
  return {
    question,
    context: context ?? {},
    executionId: executionId ?? null,
    expiresInSeconds: expiresInSeconds ?? EXPIRES_DEFAULT,
    callbackPath: callbackPath ?? null,
  };
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify(body));
}

type Read = { ok: true; value: unknown } | { ok: false; refusal: Refusal };

async function readJson(req: IncomingMessage): Promise<Read> {
  let bytes: Buffer;
  try {
    bytes = await readBodyBytes(req, HITL_BODY_MAX_BYTES);
  } catch (error) {
    if (!(error instanceof PayloadTooLargeError)) throw error;
    const message = `The request is larger than ${HITL_BODY_MAX_BYTES} bytes; attach large material to context by reference.`;
    return { ok: false, refusal: { status: 413, error: 'PAYLOAD_TOO_LARGE', message } };
  }
  try {
    return { ok: true, value: JSON.parse(bytes.toString('utf8')) };
  } catch {
    return { ok: false, refusal: { status: 400, error: 'BAD_USER_INPUT', field: 'body', message: 'The body is not valid JSON.' } };
  }
}

/**
 * `POST /v1/hitl-requests`: a deployed automation asks a person a question (issue 4, "Human in
 * the loop"), authenticated by the ingest token its Secret carries (GATEHOUSE_HITL_ENDPOINT,
 * GATEHOUSE_INGEST_TOKEN). Answers 201 `{ id, expiresAt }`; the answer is later POSTed to the
 * automation (src/modules/hitl/forward-answer.ts). Each refusal is `{ error, message, field? }`
 * and stores nothing.
 */
export async function handleHitlRequest(req: IncomingMessage, res: ServerResponse, db: Db, logger: Logger): Promise<void> {
  const fail = (r: Refusal) => send(res, r.status, { error: r.error, message: r.message, ...(r.field ? { field: r.field } : {}) }, r.headers);
  if (req.method !== 'POST')
    return fail({ status: 405, error: 'METHOD_NOT_ALLOWED', message: `POST a JSON request to ${HITL_REQUESTS_PATH}.`, headers: { allow: 'POST' } });
  const source = await authenticateIngest(db, req.headers.authorization);
  if (!source) {
    return fail({
      status: 401,
      error: 'UNAUTHENTICATED',
      message: 'Send "Authorization: Bearer <GATEHOUSE_INGEST_TOKEN>" with the ingest token of a deployment of a live automation.',
      headers: { 'www-authenticate': 'Bearer' },
    });
  }
  if ((req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() !== 'application/json') {
    return fail({ status: 415, error: 'UNSUPPORTED_MEDIA_TYPE', message: 'Send the request as "Content-Type: application/json".' });
  }
  const body = await readJson(req);
  if (!body.ok) return fail(body.refusal);
  const input = parseHitlInput(body.value);
  if ('status' in input) return fail(input);
  const row = await inTransaction(db, async (trx) => {
    const raised = await insertHitlRequest(
      trx,
      {
        organizationId: source.organizationId,
        automationId: source.automationId,
        deploymentId: source.deploymentId,
        executionId: input.executionId,
        question: input.question,
        context: JSON.stringify(input.context),
        callbackPath: input.callbackPath,
      },
      input.expiresInSeconds,
    );
    await enqueueWebhookEvent(trx, { type: 'hitl.requested', request: raised });
    return raised;
  });
  logger.info({ hitlRequestId: row.id, automationId: source.automationId, deploymentId: source.deploymentId }, 'human-in-the-loop request raised');
  send(res, 201, { id: row.id, expiresAt: row.expiresAt.toISOString() });
}
