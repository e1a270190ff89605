import type { IncomingMessage, ServerResponse } from 'node:http';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import type { Logger } from 'pino';
import type { IngestConfig } from '../config.js';
import type { Db } from '../db/database.js';
import { PayloadTooLargeError, readBodyBytes } from '../http/read-body.js';
import type { RateLimiter } from '../http/rate-limit.js';
import type { Metrics } from '../observability/metrics.js';
import { authenticateIngest } from './authenticate-ingest.js';
import { fileSpans, type Filed } from './file-spans.js';
import { decodeTraceRequest, ProtobufDecodeError, type PartialSuccess } from './otlp-proto.js';
import { readTraceRequest, type TraceRequest } from './otlp-request.js';
import { sendRefusal, sendSuccess, type OtlpEncoding, type OtlpRefusal } from './otlp-response.js';
import { OtlpSchemaError } from './otlp-values.js';

export const OTLP_TRACES_PATH = '/v1/traces';

const gunzip = promisify(zlib.gunzip);

export interface OtlpDeps {
  db: Db;
  config: IngestConfig;
  logger: Logger;
  rateLimiter: RateLimiter;
  metrics: Metrics;
}

const NOTHING_STORED = 'Nothing of this request was stored.';
const badRequest = (message: string): OtlpRefusal => ({ status: 400, message: `${message} ${NOTHING_STORED}` });

function encodingOf(contentType: string | undefined): OtlpEncoding | null {
  const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (type === 'application/x-protobuf' || type === 'application/protobuf') return 'protobuf';
  if (type === 'application/json') return 'json';
  return null;
}

function tooLarge(limit: number): OtlpRefusal {
  return {
    status: 413,
    message: `The export is larger than the limit of ${limit} bytes (OTLP_MAX_BYTES), compressed or not. Export smaller batches (OTEL_BSP_MAX_EXPORT_BATCH_SIZE), or ask the operator to raise OTLP_MAX_BYTES. ${NOTHING_STORED}`,
  };
}

/** The body, read up to the limit and gunzipped when the exporter compressed it (again up to the limit). */
async function bodyBytes(req: IncomingMessage, limit: number): Promise<Buffer | OtlpRefusal> {
  const encoding = (req.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  if (encoding !== 'identity' && encoding !== 'gzip') {
    return {
      status: 415,
      message: `Content-Encoding ${JSON.stringify(encoding)} is not supported: send gzip (OTEL_EXPORTER_OTLP_TRACES_COMPRESSION=gzip) or no compression. ${NOTHING_STORED}`,
    };
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
  return bytes;
}

/** The request's spans from either encoding, or why they cannot be read. */
function parse(bytes: Buffer, encoding: OtlpEncoding, config: IngestConfig): TraceRequest | OtlpRefusal {
  let body: unknown;
  try {
    body = encoding === 'protobuf' ? decodeTraceRequest(bytes) : JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    if (error instanceof ProtobufDecodeError) return badRequest(`The body is not a protobuf ExportTraceServiceRequest (${error.message}).`);
    if (error instanceof SyntaxError) return badRequest(`The body is not valid JSON (${error.message}).`);
    throw error;
  }
  try {
    return readTraceRequest(body, encoding === 'protobuf' ? 'bytes' : 'hex', config);
  } catch (error) {
    if (error instanceof OtlpSchemaError) return badRequest(`${error.message}.`);
    throw error;
  }
}

// Enough reasons to fix the exporter, not so many that one answer grows with a bad batch.
const REASONS_SHOWN = 3;

/** partial_success: rejected spans with the first reasons, and warnings for what was cut or ignored. */
function partialSuccess(request: TraceRequest, filed: Filed, config: IngestConfig): PartialSuccess | null {
  const notes: string[] = [];
  if (filed.rejected.length > 0) {
    const more = filed.rejected.length - REASONS_SHOWN;
    notes.push(
      `${filed.rejected.length} span(s) rejected and not stored: ${filed.rejected
        .slice(0, REASONS_SHOWN)
        .map((r) => r.reason)
        .join('; ')}${more > 0 ? `; and ${more} more` : ''}.`,
    );
  }
  if (request.truncatedValues > 0) {
    notes.push(
      `${request.truncatedValues} attribute value(s) were cut to ${config.attributeValueLength} characters (OTLP_ATTRIBUTE_VALUE_LENGTH_LIMIT); set OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT in the runtime to cut them yourself.`,
    );
  }
  if (filed.ignoredTokenValues > 0) {
    notes.push(`${filed.ignoredTokenValues} gen_ai.usage token count(s) were not whole numbers from 0 to 2147483647 and do not count towards usage.`);
  }
  return notes.length > 0 ? { rejectedSpans: filed.rejected.length, errorMessage: notes.join(' ') } : null;
}

/**
 * `POST /v1/traces`: OTLP/HTTP trace export (protobuf or JSON, plain or gzip) from a deployed
 * automation's OpenTelemetry exporter, authenticated by the deployment's ingest token (its
 * Secret's OTEL_EXPORTER_OTLP_HEADERS). Spans are filed under their executions
 * (src/ingest/file-spans.ts); those refused one by one are reported in partial_success.
 */
export async function handleOtlpTraces(req: IncomingMessage, res: ServerResponse, deps: OtlpDeps): Promise<void> {
  const encoding = encodingOf(req.headers['content-type']);
  const refuse = (refusal: OtlpRefusal) => sendRefusal(res, encoding ?? 'json', refusal);
  if (req.method !== 'POST') {
    return refuse({ status: 405, message: `POST an OTLP trace export to ${OTLP_TRACES_PATH}.`, headers: { allow: 'POST' } });
  }
  const source = await authenticateIngest(deps.db, req.headers.authorization);
  if (!source) {
    return refuse({
      status: 401,
      message:
        'Send the deployment\'s ingest token as "Authorization: Bearer <token>": the automation\'s Secret sets it in OTEL_EXPORTER_OTLP_HEADERS. Tokens of deleted automations no longer work.',
      headers: { 'www-authenticate': 'Bearer' },
    });
  }
  if (!encoding) {
    return refuse({
      status: 415,
      message: `Send an OTLP ExportTraceServiceRequest as "Content-Type: application/x-protobuf" (OTEL_EXPORTER_OTLP_TRACES_PROTOCOL=http/protobuf) or "application/json" (http/json); got ${JSON.stringify(req.headers['content-type'] ?? '')}.`,
    });
  }
  const bytes = await bodyBytes(req, deps.config.maxBytes);
  if (!Buffer.isBuffer(bytes)) return refuse(bytes);
  const request = parse(bytes, encoding, deps.config);
  if ('status' in request) return refuse(request);
  const total = request.spans.length + request.rejected.length;
  if (total > deps.config.maxSpansPerRequest) {
    return refuse({
      status: 413,
      message: `The export holds ${total} spans, more than ${deps.config.maxSpansPerRequest} (OTLP_MAX_SPANS_PER_REQUEST). Export smaller batches (OTEL_BSP_MAX_EXPORT_BATCH_SIZE). ${NOTHING_STORED}`,
    });
  }
  const rate = await deps.rateLimiter.consumeSpans(source.deploymentId, request.spans.length);
  if (!rate.allowed) {
    return refuse({
      status: 429,
      message: `This deployment may report at most ${rate.max} spans per ${rate.windowSeconds} s (OTLP_RATE_LIMIT_SPANS). The exporter retries after Retry-After; sample less (OTEL_TRACES_SAMPLER) if this recurs. ${NOTHING_STORED}`,
      headers: { 'retry-after': String(rate.retryAfterSeconds) },
    });
  }
  let filed: Filed;
  try {
    filed = await fileSpans(deps.db, source, request.spans, request.rejected, deps.config);
  } catch (error) {
    // The database failed us, not the exporter: 503 makes it send the same batch again.
    deps.logger.error({ err: error, automationId: source.automationId, deploymentId: source.deploymentId }, 'spans could not be stored');
    return refuse({
      status: 503,
      message: `The spans could not be stored just now; the exporter retries after Retry-After. ${NOTHING_STORED}`,
      headers: { 'retry-after': '5' },
    });
  }
  deps.metrics.spansIngested({
    stored: filed.stored,
    duplicate: filed.accepted - filed.stored,
    rejected: filed.rejected.length,
    truncatedValues: request.truncatedValues,
  });
  deps.logger.info(
    { automationId: source.automationId, deploymentId: source.deploymentId, spans: total, stored: filed.stored, rejected: filed.rejected.length },
    'spans received',
  );
  sendSuccess(res, encoding, partialSuccess(request, filed, deps.config));
}
