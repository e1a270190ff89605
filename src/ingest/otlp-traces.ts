import type { IncomingMessage, ServerResponse } from 'node:http';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { Db } from '../db/database.js';
import { PayloadTooLargeError, readBodyBytes } from '../http/read-body.js';
import { authenticateIngest } from './authenticate-ingest.js';
import { fileSpans } from './file-spans.js';
import { parseTraceRequest } from './otlp-json.js';
import { OtlpSchemaError } from './otlp-values.js';

export const OTLP_TRACES_PATH = '/v1/traces';

const gunzip = promisify(zlib.gunzip);

export interface OtlpDeps {
  db: Db;
  config: Config;
  logger: Logger;
}

interface Refusal {
  status: number;
  error: string;
  message: string;
  headers?: Record<string, string>;
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify(body));
}

const badRequest = (message: string): Refusal => ({ status: 400, error: 'BAD_REQUEST', message: `${message} Nothing of this request was stored.` });

function mediaType(header: string | undefined): string {
  return (header ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

/** Only OTLP/JSON: the OpenTelemetry packages ship no protobuf request decoder, and one is not worth its own here. */
function unsupportedMedia(req: IncomingMessage): Refusal | null {
  const type = mediaType(req.headers['content-type']);
  if (type === 'application/json') return null;
  const message =
    type === 'application/x-protobuf'
      ? 'This endpoint accepts OTLP/HTTP with JSON encoding only. Configure the exporter for it: OTEL_EXPORTER_OTLP_TRACES_PROTOCOL=http/json (or OTEL_EXPORTER_OTLP_PROTOCOL=http/json).'
      : `Send an OTLP ExportTraceServiceRequest as "Content-Type: application/json" (OTEL_EXPORTER_OTLP_TRACES_PROTOCOL=http/json); got ${JSON.stringify(req.headers['content-type'] ?? '')}.`;
  return { status: 415, error: 'UNSUPPORTED_MEDIA_TYPE', message };
}

function tooLarge(limit: number): Refusal {
  return {
    status: 413,
    error: 'PAYLOAD_TOO_LARGE',
    message: `The export is larger than the limit of ${limit} bytes (OTLP_MAX_BYTES). Export smaller batches (OTEL_BSP_MAX_EXPORT_BATCH_SIZE), or ask the operator to raise OTLP_MAX_BYTES.`,
    // The rest of the body is not read: without this, Node would drain it to keep the connection alive.
    headers: { connection: 'close' },
  };
}

/** The body as JSON text: read up to the limit, gunzipped when the exporter compressed it (again up to the limit). */
async function bodyText(req: IncomingMessage, limit: number): Promise<string | Refusal> {
  const encoding = (req.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  if (encoding !== 'identity' && encoding !== 'gzip') {
    return { status: 415, error: 'UNSUPPORTED_MEDIA_TYPE', message: `Content-Encoding ${JSON.stringify(encoding)} is not supported; send gzip or no compression.` };
  }
  let bytes: Buffer;
  try {
    bytes = await readBodyBytes(req, limit);
  } catch (error) {
    if (error instanceof PayloadTooLargeError) return tooLarge(limit);
    throw error;
  }
  if (encoding === 'gzip') {
    try {
      bytes = await gunzip(bytes, { maxOutputLength: limit });
    } catch (error) {
      if (error instanceof RangeError) return tooLarge(limit);
      return badRequest('The body is not valid gzip (Content-Encoding: gzip).');
    }
  }
  return bytes.toString('utf8');
}

/**
 * `POST /v1/traces`: OTLP/HTTP trace export from a deployed automation's OpenTelemetry exporter,
 * authenticated by the deployment's ingest token (its Secret's OTEL_EXPORTER_OTLP_HEADERS). Each
 * span is filed under its execution (src/ingest/file-spans.ts), all or nothing. Answers 200 with
 * an ExportTraceServiceResponse; refusals are `{ "error", "message" }` with a 4xx that the
 * exporter does not retry, because sending the same request again would fail the same way.
 */
export async function handleOtlpTraces(req: IncomingMessage, res: ServerResponse, deps: OtlpDeps): Promise<void> {
  const refuse = (r: Refusal) => send(res, r.status, { error: r.error, message: r.message }, r.headers);
  if (req.method !== 'POST') {
    return refuse({ status: 405, error: 'METHOD_NOT_ALLOWED', message: `POST an OTLP trace export to ${OTLP_TRACES_PATH}.`, headers: { allow: 'POST' } });
  }
  const source = await authenticateIngest(deps.db, req.headers.authorization);
  if (!source) {
    return refuse({
      status: 401,
      error: 'UNAUTHENTICATED',
      message: 'Send the deployment\'s ingest token as "Authorization: Bearer <token>": the automation\'s Secret sets it in OTEL_EXPORTER_OTLP_HEADERS. Tokens of deleted automations no longer work.',
      headers: { 'www-authenticate': 'Bearer' },
    });
  }
  const media = unsupportedMedia(req);
  if (media) return refuse(media);
  const text = await bodyText(req, deps.config.otlpMaxBytes);
  if (typeof text !== 'string') return refuse(text);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    return refuse(badRequest(`The body is not valid JSON (${error instanceof Error ? error.message : 'parse error'}).`));
  }
  try {
    const spans = parseTraceRequest(body);
    const stored = await fileSpans(deps.db, source, spans);
    deps.logger.info({ automationId: source.automationId, deploymentId: source.deploymentId, spans: spans.length, stored }, 'spans received');
  } catch (error) {
    if (error instanceof OtlpSchemaError) return refuse(badRequest(`${error.message}.`));
    throw error;
  }
  send(res, 200, { partialSuccess: {} });
}
