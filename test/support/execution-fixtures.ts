import crypto from 'node:crypto';
import { sql } from 'kysely';
import type { Executor } from '../../src/db/database.js';
import { encodeTraceRequest } from '../../src/ingest/otlp-proto.js';
import { insertSpans, sourceIds, type SpanInsert } from '../../src/modules/executions/spans.repository.js';
import type { SpanSource } from '../../src/modules/executions/spans.table.js';
import { expectAllowed } from './expect.js';
import type { TestGateway } from './harness.js';
import type { ClusterEnv } from './k8s-setup.js';

export const RUN = `mutation($id: ID!, $inputs: JSONObject) {
  runAutomation(id: $id, inputs: $inputs) { id status error inputs createdAt finishedAt automation { id } deployment { version } }
}`;

export interface RunResult {
  id: string;
  status: string;
  error: string | null;
  inputs: Record<string, unknown>;
  createdAt: string;
  finishedAt: string | null;
  automation: { id: string };
  deployment: { version: number } | null;
}

export async function run(gw: TestGateway, token: string, automationId: string, inputs: Record<string, unknown> = {}): Promise<RunResult> {
  return (await expectAllowed<{ runAutomation: RunResult }>(gw, token, RUN, { id: automationId, inputs })).runAutomation;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The deployment's ingest token, as the automation's pod reads it from its Secret. */
export function ingestTokenOf(env: ClusterEnv, namespace: string, automationId: string): string {
  const secret: unknown = env.stub.objects.secrets.get(`${namespace}/automation-${automationId}-env`);
  const data = isRecord(secret) && isRecord(secret.data) ? secret.data : {};
  const encoded = data.GATEHOUSE_INGEST_TOKEN;
  if (typeof encoded !== 'string') throw new Error(`no ingest token in the Secret of ${automationId}`);
  return Buffer.from(encoded, 'base64').toString('utf8');
}

export function tracesUrl(gw: TestGateway): string {
  return new URL('/v1/traces', gw.url).toString();
}

/** OTLP partial_success: spans rejected one by one, and what the gateway has to say (warnings too). */
export interface PartialSuccess {
  rejectedSpans?: number;
  errorMessage?: string;
}

export interface IngestResponse {
  status: number;
  headers: Headers;
  /** A google.rpc.Status on a refusal (`code`, `message`), an ExportTraceServiceResponse on 200. */
  body: { code?: number; message?: string; partialSuccess?: PartialSuccess };
}

/** POSTs to /v1/traces; `body` is sent as is when it is a string or bytes, else as JSON. */
export async function postTraces(gw: TestGateway, token: string | undefined, body: unknown, headers: Record<string, string> = {}): Promise<IngestResponse> {
  const payload = typeof body === 'string' || body instanceof Uint8Array ? body : JSON.stringify(body);
  const response = await fetch(tracesUrl(gw), {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
    body: payload,
  });
  const text = await response.text();
  const parsed: unknown = text ? JSON.parse(text) : {};
  return { status: response.status, headers: response.headers, body: isRecord(parsed) ? parsed : {} };
}

export interface ProtobufResponse {
  status: number;
  headers: Headers;
  bytes: Uint8Array;
}

/** POSTs protobuf bytes to /v1/traces (Content-Type application/x-protobuf, as http/protobuf exporters do). */
export async function postProtobuf(
  gw: TestGateway,
  token: string | undefined,
  bytes: Uint8Array,
  headers: Record<string, string> = {},
): Promise<ProtobufResponse> {
  const response = await fetch(tracesUrl(gw), {
    method: 'POST',
    headers: { 'content-type': 'application/x-protobuf', ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
    body: bytes,
  });
  return { status: response.status, headers: response.headers, bytes: new Uint8Array(await response.arrayBuffer()) };
}

const ID_FIELDS = new Set(['traceId', 'spanId', 'parentSpanId']);

/** An OTLP/JSON-shaped request (hex ids) in the shape encodeTraceRequest takes: ids as bytes. */
export function protobufShape(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(protobufShape);
  if (!isRecord(value)) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, inner]) => [key, ID_FIELDS.has(key) && typeof inner === 'string' ? Buffer.from(inner, 'hex') : protobufShape(inner)]),
  );
}

/** The protobuf ExportTraceServiceRequest of an OTLP/JSON-shaped request (otlpRequest). */
export function protobufRequest(request: Record<string, unknown>): Uint8Array {
  return encodeTraceRequest(protobufShape(request) as Record<string, unknown>);
}

export type AttributeValue = string | number | boolean;

export interface SpanInput {
  executionId?: string;
  name?: string;
  traceId?: string;
  spanId?: string;
  parentSpanId?: string;
  /** Milliseconds since the epoch. */
  start?: number;
  durationMs?: number;
  attributes?: Record<string, AttributeValue>;
}

export const hex = (bytes: number) => crypto.randomBytes(bytes).toString('hex');

function anyValue(value: AttributeValue): Record<string, unknown> {
  if (typeof value === 'string') return { stringValue: value };
  if (typeof value === 'boolean') return { boolValue: value };
  return Number.isInteger(value) ? { intValue: String(value) } : { doubleValue: value };
}

/** One span in OTLP/JSON, as an exporter sends it (hex ids, nanosecond strings, typed values). */
export function otlpSpan(input: SpanInput): Record<string, unknown> {
  const start = input.start ?? Date.now();
  const attributes = { ...(input.executionId ? { 'gatehouse.execution.id': input.executionId } : {}), ...input.attributes };
  return {
    traceId: input.traceId ?? hex(16),
    spanId: input.spanId ?? hex(8),
    ...(input.parentSpanId ? { parentSpanId: input.parentSpanId } : {}),
    name: input.name ?? 'llm call',
    kind: 1,
    startTimeUnixNano: `${BigInt(start) * 1_000_000n}`,
    endTimeUnixNano: `${BigInt(start + (input.durationMs ?? 5)) * 1_000_000n}`,
    attributes: Object.entries(attributes).map(([key, value]) => ({ key, value: anyValue(value) })),
    status: { code: 0 },
  };
}

/** An ExportTraceServiceRequest holding the spans under one resource and scope. */
export function otlpRequest(spans: Array<Record<string, unknown>>): Record<string, unknown> {
  return {
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'crew-runtime' } }] },
        scopeSpans: [{ scope: { name: 'crew', version: '1.0.0' }, spans }],
      },
    ],
  };
}

export async function spanCount(gw: TestGateway, executionId: string): Promise<number> {
  const row = await gw.db
    .selectFrom('spans')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('executionId', '=', executionId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** The span ids (hex) stored for an execution, in the order they arrived. */
export async function storedSpanIds(gw: TestGateway, executionId: string): Promise<string[]> {
  const rows = await gw.db
    .selectFrom('spans')
    .select(sql<string>`encode(span_id, 'hex')`.as('spanId'))
    .where('executionId', '=', executionId)
    .orderBy('id')
    .execute();
  return rows.map((row) => row.spanId);
}

export interface StoredSpanInput {
  name: string;
  /** Milliseconds since the epoch. */
  start: number;
  end: number;
  inputTokens?: number;
  outputTokens?: number;
}

/**
 * Stores spans of one execution (one trace, no resource) straight through the repository, as the
 * ingest would after checking them: for tests about reading traces rather than receiving them.
 */
export async function storeSpans(db: Executor, organizationId: number, executionId: string, spans: readonly StoredSpanInput[]): Promise<void> {
  const source: SpanSource = {
    resource: { attributes: {}, droppedAttributesCount: 0, schemaUrl: null },
    scope: { name: 'test', version: null, attributes: {}, droppedAttributesCount: 0, schemaUrl: null },
  };
  const sourceId = (await sourceIds(db, organizationId, [source])).get(source) ?? -1;
  const traceId = hex(16);
  await insertSpans(
    db,
    organizationId,
    spans.map((span) => {
      const attributes: Record<string, number> = {};
      if (span.inputTokens !== undefined) attributes['gen_ai.usage.input_tokens'] = span.inputTokens;
      if (span.outputTokens !== undefined) attributes['gen_ai.usage.output_tokens'] = span.outputTokens;
      return storedSpan(executionId, sourceId, span.start, {
        traceId,
        name: span.name,
        endTimeUnixNano: `${span.end}000000`,
        statusCode: 1,
        attributes: JSON.stringify(attributes),
        inputTokens: span.inputTokens ?? 0,
        outputTokens: span.outputTokens ?? 0,
      });
    }),
  );
}

/**
 * A span row as the ingest stores it, for tests that write spans in SQL: an internal span that
 * started at `startMs` and took 1 ms, unset status, no attributes, events or links, no tokens.
 * `changes` sets the rest (a name, an error status, a trace).
 */
export function storedSpan(executionId: string, sourceId: number, startMs: number | bigint, changes: Partial<SpanInsert> = {}): SpanInsert {
  return {
    executionId,
    sourceId,
    traceId: hex(16),
    spanId: hex(8),
    parentSpanId: null,
    traceState: null,
    flags: null,
    name: 'span',
    kind: 1,
    startTimeUnixNano: `${startMs}000000`,
    endTimeUnixNano: `${BigInt(startMs) + 1n}000000`,
    statusCode: 0,
    statusMessage: null,
    attributes: '{}',
    droppedAttributesCount: 0,
    events: null,
    droppedEventsCount: 0,
    links: null,
    droppedLinksCount: 0,
    inputTokens: 0,
    outputTokens: 0,
    ...changes,
  };
}
