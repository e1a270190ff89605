import type { JsonValue, SpanEvent, SpanLink, SpanSource } from '../modules/executions/spans.table.js';
import { at, bufferOf, count, fail, isRecord, keyValues, longBigInt, optionalText, OtlpSchemaError, ValueBudget, type Attributes } from './otlp-values.js';

/**
 * Reads an OTLP ExportTraceServiceRequest (opentelemetry-proto trace.proto) from either encoding:
 * OTLP/JSON, whose ids are hex as the OTLP specification requires, or the message protobufjs
 * decoded (src/ingest/otlp-proto.ts), read as it is: ids are bytes, fixed64 times Long, and an
 * unset field reads its prototype's default, which counts as absent here just as a key missing
 * from OTLP/JSON (src/ingest/otlp-values.ts). Unknown fields are ignored, as OTLP receivers must.
 *
 * A request whose structure is wrong (not an object, a list that is not a list, a malformed
 * resource or scope) throws an OtlpSchemaError naming the path. A span that is wrong on its own is
 * rejected alone, with the reason, and the rest of the request goes on (OTLP partial success).
 */
export interface OtlpSpan {
  /** Where the span is in the request, for messages: `resourceSpans[0].scopeSpans[1].spans[2]`. */
  path: string;
  traceId: string;
  spanId: string;
  parentSpanId: string | null;
  traceState: string | null;
  /** W3C trace flags and the is-remote bits (Span.flags); null when the exporter sent none. */
  flags: number | null;
  name: string;
  /** Span.SpanKind, 0 (UNSPECIFIED) to 5 (CONSUMER). */
  kind: number;
  startTimeUnixNano: bigint;
  endTimeUnixNano: bigint;
  /** Status.StatusCode, 0 (UNSET) to 2 (ERROR). */
  statusCode: number;
  statusMessage: string | null;
  attributes: Record<string, JsonValue>;
  droppedAttributesCount: number;
  events: SpanEvent[];
  droppedEventsCount: number;
  links: SpanLink[];
  droppedLinksCount: number;
  /** The resource and instrumentation scope, one object shared by the spans of a ScopeSpans. */
  source: SpanSource;
}

export interface Rejection {
  path: string;
  reason: string;
}

/** The caps of SPEC §7 (README "Traces"): past them values are cut, entries dropped and counted. */
export interface SpanLimits {
  attributeValueLength: number;
  attributeCount: number;
  eventCount: number;
  linkCount: number;
}

export interface TraceRequest {
  spans: OtlpSpan[];
  rejected: Rejection[];
  /** Attribute values cut to `attributeValueLength`. */
  truncatedValues: number;
}

export type IdEncoding = 'hex' | 'bytes';

const KIND_NAMES = ['UNSPECIFIED', 'INTERNAL', 'SERVER', 'CLIENT', 'PRODUCER', 'CONSUMER'] as const;
const STATUS_NAMES = ['UNSET', 'OK', 'ERROR'] as const;
const MAX_NAME = 1000;
// int8 nanoseconds reach 2262-04-11; an OTLP fixed64 past that cannot be stored.
const MAX_UNIX_NANO = 9_223_372_036_854_775_807n;
// What an absent status, resource or scope reads as.
const NONE: Record<string, unknown> = Object.freeze({});

/** The list in `field` of `parent` (at `path`); absent is empty. */
function listAt(parent: Record<string, unknown>, field: string, path: string): unknown[] {
  const value = parent[field];
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : fail(at(path, field), 'must be a list');
}

const HEX = { 16: /^[0-9a-fA-F]{32}$/, 8: /^[0-9a-fA-F]{16}$/ } as const;
const ZEROS = /^0+$/;

/** A trace (16 bytes) or span (8 bytes) id, in `field` of `path`, as lowercase hex; all zeros is no id. */
function id(value: unknown, bytes: 16 | 8, encoding: IdEncoding, path: string, field: string): string {
  let hex: string | null = null;
  if (encoding === 'bytes' && value instanceof Uint8Array && value.length === bytes) hex = bufferOf(value).toString('hex');
  else if (encoding === 'hex' && typeof value === 'string' && HEX[bytes].test(value)) hex = value.toLowerCase();
  if (hex === null || ZEROS.test(hex)) {
    return fail(
      at(path, field),
      encoding === 'hex'
        ? `must be ${bytes * 2} hex characters, not all zero (OTLP/JSON encodes ids as hex, not base64)`
        : `must be ${bytes} bytes, not all zero`,
    );
  }
  return hex;
}

/**
 * An id that may be absent: empty bytes or an empty string is none, and so is the default an
 * unset bytes field of a decoded message reads (protobufjs's frozen empty array).
 */
function optionalId(value: unknown, bytes: 16 | 8, encoding: IdEncoding, path: string, field: string): string | null {
  if (value === undefined || value === null || value === '') return null;
  if ((value instanceof Uint8Array || (encoding === 'bytes' && Array.isArray(value))) && value.length === 0) return null;
  return id(value, bytes, encoding, path, field);
}

/** fixed64 nanoseconds since the epoch: a decimal string (or a number, in JSON; a Long, from protobuf). Kept whole. */
function unixNano(value: unknown, path: string, field: string): bigint {
  let nanos = longBigInt(value);
  if (nanos === null && typeof value === 'string' && /^\d{1,20}$/.test(value)) nanos = BigInt(value);
  if (nanos === null && typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) nanos = BigInt(value);
  if (nanos === null || nanos <= 0n || nanos > MAX_UNIX_NANO) {
    return fail(at(path, field), 'must be a time in nanoseconds since the Unix epoch, as a decimal string such as "1764000000000000000"');
  }
  return nanos;
}

/** A proto enum: its number (unknown numbers read as the zero value, as proto3 allows), or its name with the prefix. */
function enumNumber(value: unknown, names: readonly string[], prefix: string, path: string, field: string): number {
  if (value === undefined || value === null) return 0;
  if (typeof value === 'number' && Number.isInteger(value)) return value >= 0 && value < names.length ? value : 0;
  const index = typeof value === 'string' ? names.findIndex((name) => `${prefix}${name}` === value) : -1;
  return index >= 0 ? index : fail(at(path, field), `must be one of ${names.map((n, i) => `${i} (${prefix}${n})`).join(', ')}`);
}

// Span.flags bits 0-7 are the W3C trace flags, 8-9 say whether the parent was remote; the rest
// are reserved, and kept out so that the value stays within the API's 32-bit Int.
const DEFINED_FLAGS = 0x3ff;

function optionalFlags(value: unknown, path: string, field: string): number | null {
  if (value === undefined || value === null) return null;
  return count(value, path, field) & DEFINED_FLAGS || null;
}

/** At most `limit` entries of a list, read; those past it are counted by the caller. */
function capped<T>(items: unknown[], limit: number, read: (item: unknown, i: number) => T): T[] {
  const kept = new Array<T>(Math.min(items.length, limit));
  for (let i = 0; i < kept.length; i++) kept[i] = read(items[i], i);
  return kept;
}

function attributesOf(value: Record<string, unknown>, path: string, budget: ValueBudget): Attributes {
  const attributes = keyValues(value.attributes, path, 'attributes', budget);
  attributes.dropped += count(value.droppedAttributesCount, path, 'droppedAttributesCount');
  return attributes;
}

function event(value: unknown, path: string, budget: ValueBudget): SpanEvent {
  if (!isRecord(value)) return fail(path, 'must be an object');
  const attributes = attributesOf(value, path, budget);
  return {
    name: optionalText(value.name, path, 'name', budget),
    timeUnixNano: unixNano(value.timeUnixNano, path, 'timeUnixNano').toString(),
    attributes: attributes.values,
    droppedAttributesCount: attributes.dropped,
  };
}

function link(value: unknown, path: string, encoding: IdEncoding, budget: ValueBudget): SpanLink {
  if (!isRecord(value)) return fail(path, 'must be an object');
  const attributes = attributesOf(value, path, budget);
  return {
    traceId: id(value.traceId, 16, encoding, path, 'traceId'),
    spanId: id(value.spanId, 8, encoding, path, 'spanId'),
    traceState: optionalText(value.traceState, path, 'traceState', budget) || null,
    flags: optionalFlags(value.flags, path, 'flags'),
    attributes: attributes.values,
    droppedAttributesCount: attributes.dropped,
  };
}

function span(value: unknown, path: string, encoding: IdEncoding, limits: SpanLimits, budget: ValueBudget, source: SpanSource): OtlpSpan {
  if (!isRecord(value)) return fail(path, 'must be an object');
  const name = value.name ?? '';
  if (typeof name !== 'string') return fail(at(path, 'name'), 'must be a string');
  const startTimeUnixNano = unixNano(value.startTimeUnixNano, path, 'startTimeUnixNano');
  const endTimeUnixNano = unixNano(value.endTimeUnixNano, path, 'endTimeUnixNano');
  if (endTimeUnixNano < startTimeUnixNano) return fail(at(path, 'endTimeUnixNano'), 'is before startTimeUnixNano');
  const status = value.status ?? NONE;
  if (!isRecord(status)) return fail(at(path, 'status'), 'must be an object');
  const attributes = attributesOf(value, path, budget);
  const eventList = listAt(value, 'events', path);
  const events = capped(eventList, limits.eventCount, (item, i) => event(item, `${path}.events[${i}]`, budget));
  const linkList = listAt(value, 'links', path);
  const links = capped(linkList, limits.linkCount, (item, i) => link(item, `${path}.links[${i}]`, encoding, budget));
  return {
    path,
    traceId: id(value.traceId, 16, encoding, path, 'traceId'),
    spanId: id(value.spanId, 8, encoding, path, 'spanId'),
    parentSpanId: optionalId(value.parentSpanId, 8, encoding, path, 'parentSpanId'),
    traceState: optionalText(value.traceState, path, 'traceState', budget) || null,
    flags: optionalFlags(value.flags, path, 'flags'),
    // A name is no attribute, but the same cut keeps one span from carrying a megabyte in it.
    name: budget.text(name.length > MAX_NAME ? name.slice(0, MAX_NAME) : name),
    kind: enumNumber(value.kind, KIND_NAMES, 'SPAN_KIND_', path, 'kind'),
    startTimeUnixNano,
    endTimeUnixNano,
    statusCode: enumNumber(status.code, STATUS_NAMES, 'STATUS_CODE_', path, 'status.code'),
    statusMessage: optionalText(status.message, path, 'status.message', budget) || null,
    attributes: attributes.values,
    droppedAttributesCount: attributes.dropped,
    events,
    droppedEventsCount: eventList.length - events.length + count(value.droppedEventsCount, path, 'droppedEventsCount'),
    links,
    droppedLinksCount: linkList.length - links.length + count(value.droppedLinksCount, path, 'droppedLinksCount'),
    source,
  };
}

function resourceOf(resourceSpans: Record<string, unknown>, rp: string, budget: ValueBudget): SpanSource['resource'] {
  const resource = resourceSpans.resource ?? NONE;
  const path = at(rp, 'resource');
  if (!isRecord(resource)) return fail(path, 'must be an object');
  const attributes = attributesOf(resource, path, budget);
  return {
    attributes: attributes.values,
    droppedAttributesCount: attributes.dropped,
    schemaUrl: optionalText(resourceSpans.schemaUrl, rp, 'schemaUrl', budget) || null,
  };
}

function sourceOf(resource: SpanSource['resource'], scopeSpans: Record<string, unknown>, sp: string, budget: ValueBudget): SpanSource {
  const scope = scopeSpans.scope ?? NONE;
  const path = at(sp, 'scope');
  if (!isRecord(scope)) return fail(path, 'must be an object');
  const scopeAttributes = attributesOf(scope, path, budget);
  return {
    resource,
    scope: {
      name: optionalText(scope.name, path, 'name', budget),
      version: optionalText(scope.version, path, 'version', budget) || null,
      attributes: scopeAttributes.values,
      droppedAttributesCount: scopeAttributes.dropped,
      schemaUrl: optionalText(scopeSpans.schemaUrl, sp, 'schemaUrl', budget) || null,
    },
  };
}

/**
 * Every span of the request in request order, and those rejected with why. `body` is parsed
 * OTLP/JSON (`hex` ids) or the ExportTraceServiceRequest message protobufjs decoded (`bytes`).
 */
export function readTraceRequest(body: unknown, encoding: IdEncoding, limits: SpanLimits): TraceRequest {
  if (!isRecord(body)) return fail('The request body', 'must be an object (an OTLP ExportTraceServiceRequest)');
  const budget = new ValueBudget(limits.attributeValueLength, limits.attributeCount);
  const spans: OtlpSpan[] = [];
  const rejected: Rejection[] = [];
  const resourceSpansList = listAt(body, 'resourceSpans', '');
  for (let i = 0; i < resourceSpansList.length; i++) {
    const resourceSpans = resourceSpansList[i];
    const rp = `resourceSpans[${i}]`;
    if (!isRecord(resourceSpans)) return fail(rp, 'must be an object');
    const resource = resourceOf(resourceSpans, rp, budget);
    const scopeSpansList = listAt(resourceSpans, 'scopeSpans', rp);
    for (let j = 0; j < scopeSpansList.length; j++) {
      const scopeSpans = scopeSpansList[j];
      const sp = `${rp}.scopeSpans[${j}]`;
      if (!isRecord(scopeSpans)) return fail(sp, 'must be an object');
      const source = sourceOf(resource, scopeSpans, sp, budget);
      const items = listAt(scopeSpans, 'spans', sp);
      for (let k = 0; k < items.length; k++) {
        const path = `${sp}.spans[${k}]`;
        try {
          spans.push(span(items[k], path, encoding, limits, budget, source));
        } catch (error) {
          if (!(error instanceof OtlpSchemaError)) throw error;
          rejected.push({ path, reason: error.message });
        }
      }
    }
  }
  return { spans, rejected, truncatedValues: budget.truncated };
}
