import type { JsonValue, SpanEvent, SpanKind, SpanStatusCode } from '../modules/executions/executions.table.js';
import { fail, isRecord, keyValues, storable } from './otlp-values.js';

/**
 * Reads an OTLP/JSON ExportTraceServiceRequest (opentelemetry-proto trace.proto in the protobuf
 * JSON mapping, with hex trace and span ids as the OTLP specification requires): every span with
 * the attributes of its resource. Unknown fields are ignored, as OTLP receivers must; a field that
 * is there but malformed throws an OtlpSchemaError naming its path.
 */
export interface OtlpSpan {
  /** Where the span is in the request, for messages: `resourceSpans[0].scopeSpans[1].spans[2]`. */
  path: string;
  traceId: string;
  spanId: string;
  parentSpanId: string | null;
  name: string;
  kind: SpanKind;
  startTime: Date;
  endTime: Date;
  statusCode: SpanStatusCode;
  statusMessage: string | null;
  attributes: Record<string, JsonValue>;
  resourceAttributes: Record<string, JsonValue>;
  events: SpanEvent[];
}

const KINDS: readonly SpanKind[] = ['UNSPECIFIED', 'INTERNAL', 'SERVER', 'CLIENT', 'PRODUCER', 'CONSUMER'];
const STATUS_CODES: readonly SpanStatusCode[] = ['UNSET', 'OK', 'ERROR'];
const MAX_NAME = 1000;
// Timestamps PostgreSQL and JavaScript both print as four-digit years.
const MAX_UNIX_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

function listAt(parent: Record<string, unknown>, key: string, path: string): unknown[] {
  const value = parent[key];
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : fail(path, 'must be a list');
}

function hexId(value: unknown, length: number, path: string): string {
  if (typeof value !== 'string' || !new RegExp(`^[0-9a-fA-F]{${length}}$`).test(value) || /^0+$/.test(value)) {
    return fail(path, `must be ${length} hex characters, not all zero (OTLP/JSON encodes ids as hex, not base64)`);
  }
  return value.toLowerCase();
}

/** fixed64 nanoseconds since the epoch, a decimal string or a number; kept to the millisecond. */
function unixNano(value: unknown, path: string): Date {
  let nanos: bigint | null = null;
  if (typeof value === 'string' && /^\d{1,20}$/.test(value)) nanos = BigInt(value);
  else if (typeof value === 'number' && Number.isInteger(value) && value >= 0) nanos = BigInt(value);
  const ms = nanos === null ? NaN : Number(nanos / 1_000_000n);
  if (nanos === null || nanos === 0n || !(ms <= MAX_UNIX_MS)) {
    return fail(path, 'must be a time in nanoseconds since the Unix epoch, as a decimal string such as "1764000000000000000"');
  }
  return new Date(ms);
}

/** A proto enum in JSON: its number, or its name with the given prefix. */
function enumValue<T extends string>(value: unknown, names: readonly T[], prefix: string, path: string): T {
  if (value === undefined || value === null) return names[0] ?? fail(path, 'is missing');
  const index = typeof value === 'number' ? value : typeof value === 'string' ? names.findIndex((name) => `${prefix}${name}` === value) : -1;
  const name = Number.isInteger(index) ? names[index] : undefined;
  return name ?? fail(path, `must be one of ${names.map((n, i) => `${i} (${prefix}${n})`).join(', ')}`);
}

function events(list: unknown[], path: string): SpanEvent[] {
  return list.map((event, i) => {
    const at = `${path}[${i}]`;
    if (!isRecord(event)) return fail(at, 'must be an object');
    const name = event.name ?? '';
    if (typeof name !== 'string') return fail(`${at}.name`, 'must be a string');
    return { name: storable(name), time: unixNano(event.timeUnixNano, `${at}.timeUnixNano`).toISOString(), attributes: keyValues(event.attributes, `${at}.attributes`) };
  });
}

function span(value: unknown, path: string, resourceAttributes: Record<string, JsonValue>): OtlpSpan {
  if (!isRecord(value)) return fail(path, 'must be an object');
  const name = value.name;
  if (typeof name !== 'string' || name.length === 0 || name.length > MAX_NAME) return fail(`${path}.name`, `must be a string of 1 to ${MAX_NAME} characters`);
  const parent = value.parentSpanId;
  const startTime = unixNano(value.startTimeUnixNano, `${path}.startTimeUnixNano`);
  const endTime = unixNano(value.endTimeUnixNano, `${path}.endTimeUnixNano`);
  if (endTime < startTime) return fail(`${path}.endTimeUnixNano`, 'is before startTimeUnixNano');
  const status = value.status ?? {};
  if (!isRecord(status)) return fail(`${path}.status`, 'must be an object');
  const message = status.message ?? '';
  if (typeof message !== 'string') return fail(`${path}.status.message`, 'must be a string');
  return {
    path,
    traceId: hexId(value.traceId, 32, `${path}.traceId`),
    spanId: hexId(value.spanId, 16, `${path}.spanId`),
    parentSpanId: parent === undefined || parent === null || parent === '' ? null : hexId(parent, 16, `${path}.parentSpanId`),
    name: storable(name),
    kind: enumValue(value.kind, KINDS, 'SPAN_KIND_', `${path}.kind`),
    startTime,
    endTime,
    statusCode: enumValue(status.code, STATUS_CODES, 'STATUS_CODE_', `${path}.status.code`),
    statusMessage: message ? storable(message) : null,
    attributes: keyValues(value.attributes, `${path}.attributes`),
    resourceAttributes,
    events: events(listAt(value, 'events', `${path}.events`), `${path}.events`),
  };
}

/** Every span of the request, in request order. */
export function parseTraceRequest(body: unknown): OtlpSpan[] {
  if (!isRecord(body)) return fail('The request body', 'must be a JSON object (an OTLP ExportTraceServiceRequest)');
  const spans: OtlpSpan[] = [];
  listAt(body, 'resourceSpans', 'resourceSpans').forEach((resourceSpans, i) => {
    const rp = `resourceSpans[${i}]`;
    if (!isRecord(resourceSpans)) return fail(rp, 'must be an object');
    const resource = resourceSpans.resource ?? {};
    if (!isRecord(resource)) return fail(`${rp}.resource`, 'must be an object');
    const resourceAttributes = keyValues(resource.attributes, `${rp}.resource.attributes`);
    listAt(resourceSpans, 'scopeSpans', `${rp}.scopeSpans`).forEach((scopeSpans, j) => {
      const sp = `${rp}.scopeSpans[${j}]`;
      if (!isRecord(scopeSpans)) return fail(sp, 'must be an object');
      listAt(scopeSpans, 'spans', `${sp}.spans`).forEach((item, k) => spans.push(span(item, `${sp}.spans[${k}]`, resourceAttributes)));
    });
  });
  return spans;
}
