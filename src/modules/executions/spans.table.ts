import type { ColumnType, Generated, Insertable, JSONColumnType, Selectable } from 'kysely';

/** A JSON value as stored: what OTLP attribute values become (src/ingest/otlp-values.ts). */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** One span event (a log line of the runtime), as stored. */
export interface SpanEvent {
  name: string;
  /** Nanoseconds since the epoch, as a decimal string (OTLP's fixed64 exceeds 2^53). */
  timeUnixNano: string;
  attributes: Record<string, JsonValue>;
  droppedAttributesCount: number;
}

/** A link from a span to another span, of this trace or another, as stored. */
export interface SpanLink {
  traceId: string;
  spanId: string;
  traceState: string | null;
  flags: number | null;
  attributes: Record<string, JsonValue>;
  droppedAttributesCount: number;
}

/** The resource (what produced the spans: service.name, host, SDK …) and instrumentation scope. */
export interface SpanSource {
  resource: { attributes: Record<string, JsonValue>; droppedAttributesCount: number; schemaUrl: string | null };
  scope: { name: string; version: string | null; attributes: Record<string, JsonValue>; droppedAttributesCount: number; schemaUrl: string | null };
}

/**
 * Resource and scope pairs, stored once per organization and shared by every span that names
 * them: an exporter repeats the same resource in every batch.
 */
export interface SpanSourcesTable {
  id: Generated<number>;
  organizationId: number;
  /** SHA-256 of the pair's JSON, the key that finds an existing row. */
  digest: Buffer;
  resource: JSONColumnType<SpanSource['resource'], string, string>;
  scope: JSONColumnType<SpanSource['scope'], string, string>;
  createdAt: ColumnType<Date, never, never>;
}

/**
 * One OpenTelemetry span. `id` is drawn from one sequence while the ingest holds its execution's
 * row lock, so within an execution it is the order of arrival, and a reader resuming after an
 * id misses nothing that commits later (src/ingest/file-spans.ts).
 */
export interface SpansTable {
  id: ColumnType<number, never, never>;
  organizationId: number;
  executionId: string;
  /** span_sources.id, without a foreign key: see migrations/2026_11_30_100000_whole_spans.ts. */
  sourceId: number;
  traceId: Buffer;
  spanId: Buffer;
  parentSpanId: Buffer | null;
  traceState: string | null;
  flags: number | null;
  name: string;
  /** Span.SpanKind: 0 UNSPECIFIED … 5 CONSUMER. */
  kind: number;
  /** Nanoseconds since the epoch (int8; read as text, it exceeds 2^53). */
  startTimeUnixNano: ColumnType<string, string, never>;
  endTimeUnixNano: ColumnType<string, string, never>;
  /** Status.StatusCode: 0 UNSET, 1 OK, 2 ERROR. */
  statusCode: number;
  statusMessage: string | null;
  attributes: JSONColumnType<Record<string, JsonValue>, string, never>;
  droppedAttributesCount: number;
  events: JSONColumnType<SpanEvent[] | null, string | null, never>;
  droppedEventsCount: number;
  links: JSONColumnType<SpanLink[] | null, string | null, never>;
  droppedLinksCount: number;
}

export type SpanRow = Selectable<SpansTable>;
export type NewSpan = Insertable<SpansTable>;
export type SpanSourceRow = Selectable<SpanSourcesTable>;

/** What a span is, stored or about to be: ids in hex, times as decimal nanoseconds. */
export interface SpanFields {
  executionId: string;
  sourceId: number;
  traceId: string;
  spanId: string;
  parentSpanId: string | null;
  traceState: string | null;
  flags: number | null;
  name: string;
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  statusCode: number;
  statusMessage: string | null;
  droppedAttributesCount: number;
  droppedEventsCount: number;
  droppedLinksCount: number;
}

/**
 * A stored span as the API reads it. Its large values are read only when the request selects them
 * (listSpans' SpanColumns): one absent here was not read, which is not the same as none (null).
 */
export interface SpanRecord extends SpanFields {
  id: number;
  attributes?: Record<string, JsonValue>;
  events?: SpanEvent[] | null;
  links?: SpanLink[] | null;
  /** The token count attributes alone, read when the request asks for inputTokens or outputTokens but not the attributes. */
  inputTokens?: JsonValue;
  outputTokens?: JsonValue;
}
