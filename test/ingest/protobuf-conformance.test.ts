import { context, createTraceState, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, TraceFlags, type HrTime } from '@opentelemetry/api';
// Not a direct dependency: the OTLP exporters' own serializers, installed (and hoisted) with them.
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { AlwaysOnSampler, BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import type { JsonValue } from '../../src/modules/executions/spans.table.js';
import { decodeTraceRequest, ProtobufDecodeError } from '../../src/ingest/otlp-proto.js';
import { readTraceRequest, type OtlpSpan, type SpanLimits } from '../../src/ingest/otlp-request.js';
import { protobufRequest } from '../support/execution-fixtures.js';

// Issue 10: the proto/ declarations (read by src/ingest/otlp-proto.ts) against the encoder the
// stock exporters use. Spans recorded with the SDK are serialized by @opentelemetry/otlp-transformer
// to protobuf (its hand-written writer, not protobufjs) and to OTLP/JSON; the gateway's reader must
// get the same spans out of both, and the spans the SDK recorded, field by field.

const WIDE: SpanLimits = { attributeValueLength: 100_000, attributeCount: 1_000, eventCount: 1_000, linkCount: 1_000 };

/** The SDK's spans, finished: two resources, three scopes, every span kind, limits that drop. */
function recordSpans(): ReadableSpan[] {
  const memory = new InMemorySpanExporter();
  const crew = new BasicTracerProvider({
    resource: resourceFromAttributes(
      { 'service.name': 'crew-runtime', 'service.version': '2.0.1', 'host.cpu.count': 2, 'gatehouse.execution.id': '6f1c1b4e-5f7e-4d35-9a3e-0d6f0b3f7a11' },
      { schemaUrl: 'https://opentelemetry.io/schemas/1.30.0' },
    ),
    sampler: new AlwaysOnSampler(),
    // Low enough that the SDK drops and counts: the dropped_*_count fields have to survive too.
    spanLimits: { attributeCountLimit: 6, eventCountLimit: 2, linkCountLimit: 2, attributePerEventCountLimit: 2, attributePerLinkCountLimit: 1 },
    spanProcessors: [new SimpleSpanProcessor(memory)],
  });
  const tool = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'tool-server', 'process.pid': 4242 }),
    spanProcessors: [new SimpleSpanProcessor(memory)],
  });
  const tracer = crew.getTracer('crew.runtime', '2.0.1', { schemaUrl: 'https://opentelemetry.io/schemas/1.28.0' });
  const llmTracer = crew.getTracer('openai.instrumentation');
  const toolTracer = tool.getTracer('tool.http', '0.9.0');

  const t = (seconds: number, nanos: number): HrTime => [seconds, nanos];
  const base = 1_764_000_000;
  const root = tracer.startSpan('crew.kickoff', {
    kind: SpanKind.SERVER,
    startTime: t(base, 1),
    attributes: {
      'crew.topic': 'otters ü 🦦',
      'crew.agents': ['researcher', 'writer'],
      'crew.weights': [0.5, 1.5],
      'crew.flags': [true, false],
      'crew.empty': '',
    },
  });
  const inRoot = trace.setSpan(context.active(), root);
  const llm = llmTracer.startSpan(
    'llm.chat',
    {
      kind: SpanKind.CLIENT,
      startTime: t(base, 999_999_999),
      attributes: {
        'gen_ai.usage.input_tokens': 321,
        'gen_ai.usage.output_tokens': 45,
        'gen_ai.request.temperature': -0.25,
        delta: -7,
        'too.many.1': 1,
        'too.many.2': 2,
        'too.many.3': 3,
      },
    },
    inRoot,
  );
  llm.addEvent('first', { a: 1 }, t(base + 1, 1));
  llm.addEvent('second', { b: 'two', c: 3, d: 4 }, t(base + 1, 2));
  llm.addEvent('third', undefined, t(base + 1, 3));
  llm.end(t(base + 1, 500_000_001));

  const upstream = {
    traceId: '5b8efff798038103d269b633813fc60c',
    spanId: 'eee19b7ec3c1b174',
    traceFlags: TraceFlags.SAMPLED,
    isRemote: true,
    traceState: createTraceState('vendor=abc,other=1'),
  };
  const publish = tracer.startSpan(
    'queue.publish',
    {
      kind: SpanKind.PRODUCER,
      startTime: t(base + 2, 0),
      links: [
        // Past linkCountLimit the SDK drops the oldest: this one.
        { context: llm.spanContext() },
        { context: { ...upstream, spanId: 'aaaaaaaaaaaaaaaa', traceFlags: TraceFlags.NONE, isRemote: false, traceState: undefined } },
        { context: upstream, attributes: { 'link.note': 'upstream', 'link.extra': 'dropped' } },
      ],
    },
    inRoot,
  );
  publish.end(t(base + 2, 1));

  const propagated = trace.setSpanContext(ROOT_CONTEXT, {
    traceId: root.spanContext().traceId,
    spanId: publish.spanContext().spanId,
    traceFlags: TraceFlags.SAMPLED,
    isRemote: true,
    traceState: createTraceState('gatehouse=consume'),
  });
  const consume = toolTracer.startSpan('queue.consume', { kind: SpanKind.CONSUMER, startTime: t(base + 3, 3) }, propagated);
  consume.setStatus({ code: SpanStatusCode.ERROR, message: 'handler threw: ✗' });
  consume.end(t(base + 3, 4));

  // Past 2^63 ns is refused; far future, below it, is kept to the nanosecond.
  const late = toolTracer.startSpan('far.future', { kind: SpanKind.INTERNAL, startTime: t(9_000_000_000, 123_456_789) });
  late.end(t(9_000_000_001, 0));

  root.setAttribute('gatehouse.execution.status', 'SUCCEEDED');
  root.setStatus({ code: SpanStatusCode.OK });
  root.end(t(base + 4, 0));

  const spans = memory.getFinishedSpans();
  // What @opentelemetry/api 1.9 cannot record, but OTLP carries and the serializers write: scope
  // attributes, bytes and key-value list attributes, nested arrays. One span, re-scoped by hand.
  const scope = { name: 'hand.made', version: '1', attributes: { 'scope.kind': 'test', 'scope.n': 1 }, droppedAttributesCount: 2 };
  const extra = {
    'payload.bytes': new Uint8Array([0, 1, 2, 254, 255]),
    'payload.map': { a: 'b', n: 2, nested: { deep: [1, 'two', true] } },
    'payload.nested': [[1, 2], ['x']],
  };
  const consumed = spans.find((s) => s.name === 'queue.consume');
  if (!consumed) throw new Error('queue.consume was not recorded');
  // Its own properties shadow the SDK span's; spanContext() and the rest come from the span.
  const handMade = Object.create(consumed, {
    instrumentationScope: { value: scope, enumerable: true },
    attributes: { value: { ...consumed.attributes, ...extra }, enumerable: true },
  }) as ReadableSpan;
  return [...spans, handMade];
}

function jsonOf(value: unknown): JsonValue {
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (Array.isArray(value)) return value.map(jsonOf);
  if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, jsonOf(v)]));
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  return null;
}
const attributesOf = (value: object | undefined) => jsonOf(value ?? {}) as Record<string, JsonValue>;
const nanos = ([seconds, ns]: HrTime) => BigInt(seconds) * 1_000_000_000n + BigInt(ns);
const flagsOf = (traceFlags: number, isRemote: boolean | undefined) => (traceFlags & 0xff) | 0x100 | (isRemote ? 0x200 : 0);

/** A ReadableSpan as OtlpSpan (less its path): what the gateway should read from either encoding. */
function expected(span: ReadableSpan): Omit<OtlpSpan, 'path'> {
  const ctx = span.spanContext();
  const scope = span.instrumentationScope as typeof span.instrumentationScope & { attributes?: object; droppedAttributesCount?: number };
  return {
    traceId: ctx.traceId,
    spanId: ctx.spanId,
    parentSpanId: span.parentSpanContext?.spanId ?? null,
    traceState: ctx.traceState?.serialize() || null,
    flags: flagsOf(ctx.traceFlags, span.parentSpanContext?.isRemote),
    name: span.name,
    kind: span.kind + 1,
    startTimeUnixNano: nanos(span.startTime),
    endTimeUnixNano: nanos(span.endTime),
    statusCode: span.status.code,
    statusMessage: span.status.message || null,
    attributes: attributesOf(span.attributes),
    droppedAttributesCount: span.droppedAttributesCount,
    events: span.events.map((e) => ({
      name: e.name,
      timeUnixNano: nanos(e.time).toString(),
      attributes: attributesOf(e.attributes),
      droppedAttributesCount: e.droppedAttributesCount ?? 0,
    })),
    droppedEventsCount: span.droppedEventsCount,
    links: span.links.map((l) => ({
      traceId: l.context.traceId,
      spanId: l.context.spanId,
      traceState: l.context.traceState?.serialize() || null,
      flags: flagsOf(l.context.traceFlags, l.context.isRemote),
      attributes: attributesOf(l.attributes),
      droppedAttributesCount: l.droppedAttributesCount ?? 0,
    })),
    droppedLinksCount: span.droppedLinksCount,
    source: {
      resource: { attributes: attributesOf(span.resource.attributes), droppedAttributesCount: 0, schemaUrl: span.resource.schemaUrl ?? null },
      scope: {
        name: scope.name,
        version: scope.version || null,
        attributes: attributesOf(scope.attributes),
        droppedAttributesCount: scope.droppedAttributesCount ?? 0,
        schemaUrl: scope.schemaUrl ?? null,
      },
    },
  };
}

function bothEncodings(spans: ReadableSpan[], limits: SpanLimits) {
  const protobuf = ProtobufTraceSerializer.serializeRequest(spans);
  const json = JsonTraceSerializer.serializeRequest(spans);
  if (!protobuf || !json) throw new Error('the serializers produced nothing');
  return {
    fromProtobuf: readTraceRequest(decodeTraceRequest(protobuf), 'bytes', limits),
    fromJson: readTraceRequest(JSON.parse(Buffer.from(json).toString('utf8')), 'hex', limits),
  };
}

const bySpanId = <T extends { spanId: string; name: string }>(list: T[]) =>
  [...list].sort((a, b) => `${a.spanId}${a.name}`.localeCompare(`${b.spanId}${b.name}`));
const withoutPath = (spans: OtlpSpan[]) => spans.map(({ path: _path, ...rest }) => rest);

describe('OTLP from @opentelemetry/otlp-transformer, protobuf and JSON, read by the ingest', () => {
  const spans = recordSpans();

  it('the recorded spans exercise what the comparison is about', () => {
    expect(new Set(spans.map((s) => s.kind)).size).toBe(5);
    expect(spans.some((s) => s.droppedAttributesCount > 0 && s.droppedEventsCount > 0)).toBe(true);
    expect(spans.some((s) => s.droppedLinksCount > 0 && s.links.some((l) => (l.droppedAttributesCount ?? 0) > 0))).toBe(true);
    expect(spans.some((s) => s.events.some((e) => (e.droppedAttributesCount ?? 0) > 0))).toBe(true);
    expect(spans.some((s) => s.spanContext().traceState !== undefined && s.parentSpanContext?.isRemote)).toBe(true);
  });

  it('both encodings give the same spans, in the same places, nothing rejected or cut', () => {
    const { fromProtobuf, fromJson } = bothEncodings(spans, WIDE);
    expect(fromProtobuf.rejected).toEqual([]);
    expect(fromJson.rejected).toEqual([]);
    expect(fromProtobuf.truncatedValues).toBe(0);
    expect(fromJson.truncatedValues).toBe(0);
    expect(fromProtobuf.spans).toHaveLength(spans.length);
    expect(fromProtobuf.spans).toEqual(fromJson.spans);
  });

  it('and they are the spans the SDK recorded: bigint nanoseconds, hex ids, typed attributes, events, links, flags, resource, scope', () => {
    const { fromProtobuf, fromJson } = bothEncodings(spans, WIDE);
    const want = bySpanId(spans.map(expected));
    expect(bySpanId(withoutPath(fromProtobuf.spans))).toEqual(want);
    expect(bySpanId(withoutPath(fromJson.spans))).toEqual(want);
    // Spot checks on values a lossy path would change: 64-bit times, negative ints, bytes, kvlists.
    const far = fromProtobuf.spans.find((s) => s.name === 'far.future');
    expect(far?.startTimeUnixNano).toBe(9_000_000_000_123_456_789n);
    const handMade = fromProtobuf.spans.find((s) => s.source.scope.name === 'hand.made');
    expect(handMade?.attributes).toMatchObject({
      'payload.bytes': 'AAEC/v8=',
      'payload.map': { a: 'b', n: 2, nested: { deep: [1, 'two', true] } },
      'payload.nested': [[1, 2], ['x']],
    });
    expect(handMade?.source.scope).toEqual({
      name: 'hand.made',
      version: '1',
      attributes: { 'scope.kind': 'test', 'scope.n': 1 },
      droppedAttributesCount: 2,
      schemaUrl: null,
    });
    expect(fromProtobuf.spans.find((s) => s.name === 'llm.chat')?.attributes).toMatchObject({ delta: -7, 'gen_ai.request.temperature': -0.25 });
  });

  it("the gateway's own caps cut both encodings alike", () => {
    const tight: SpanLimits = { attributeValueLength: 3, attributeCount: 2, eventCount: 1, linkCount: 1 };
    const { fromProtobuf, fromJson } = bothEncodings(spans, tight);
    expect(fromProtobuf.truncatedValues).toBeGreaterThan(0);
    expect(fromProtobuf).toEqual(fromJson);
  });
});

// The reader takes protobufjs's decoded message as it is (Long, Buffers, unset fields as prototype
// defaults), no longer a plain copy from toObject: each must read exactly as that copy did, and
// what OTLP/JSON says the same way must read the same, down to the edges the SDK never sends.

/** Edge cases in OTLP/JSON (hex ids, int64 as strings, base64 bytes); protobufRequest encodes the same with protobufjs. */
function edgeRequest(): Record<string, unknown> {
  const kv = (key: string, value?: Record<string, unknown>) => (value === undefined ? { key } : { key, value });
  const base = {
    traceId: '0af7651916cd43dd8448eb211c80319c',
    name: 'edge',
    kind: 1,
    startTimeUnixNano: '1764000000000000001',
    endTimeUnixNano: '1764000000000000002',
  };
  let deep: Record<string, unknown> = { intValue: '1' };
  for (let i = 0; i < 17; i++) deep = { arrayValue: { values: [deep] } };
  return {
    resourceSpans: [
      {
        resource: {
          attributes: [
            kv('int64.max', { intValue: '9223372036854775807' }),
            kv('int64.min', { intValue: '-9223372036854775808' }),
            kv('int64.safe', { intValue: '9007199254740991' }),
            kv('int64.unsafe', { intValue: '-9007199254740993' }),
            kv('int64.neg', { intValue: '-42' }),
            kv('int64.zero', { intValue: '0' }),
            kv('double.zero', { doubleValue: 0 }),
            kv('double.nan', { doubleValue: 'NaN' }),
            kv('double.inf', { doubleValue: '-Infinity' }),
            kv('string.empty', { stringValue: '' }),
            kv('bool.false', { boolValue: false }),
            kv('bytes.empty', { bytesValue: '' }),
            kv('bytes', { bytesValue: 'AP8=' }),
            kv('empty.value', {}),
            kv('no.value'),
            kv('array.empty', { arrayValue: {} }),
            kv('kvlist.empty', { kvlistValue: {} }),
            kv('kvlist', {
              kvlistValue: {
                values: [
                  kv('a', { arrayValue: { values: [{ intValue: '1' }, {}, { kvlistValue: { values: [kv('b')] } }] } }),
                  kv('a', { stringValue: 'last wins' }),
                ],
              },
            }),
          ],
          droppedAttributesCount: 3,
        },
        scopeSpans: [
          {
            scope: {},
            spans: [
              // Unset fields all round; reserved flag bits, unknown kind and status numbers.
              { ...base, spanId: '00f067aa0ba902b7', parentSpanId: '', kind: 9, flags: 0xffffffff, status: { code: 7, message: '' }, traceState: '', name: '' },
              {
                ...base,
                spanId: '00f067aa0ba902b8',
                parentSpanId: '00f067aa0ba902b7',
                flags: 0x100,
                droppedAttributesCount: 1,
                droppedEventsCount: 2,
                droppedLinksCount: 3,
                events: [
                  { timeUnixNano: '9223372036854775807' },
                  { name: 'e', timeUnixNano: '1', attributes: [kv('x', { stringValue: 'y' })], droppedAttributesCount: 1 },
                ],
                links: [
                  {
                    traceId: '0af7651916cd43dd8448eb211c80319d',
                    spanId: '00f067aa0ba902b9',
                    traceState: 'k=v',
                    flags: 1,
                    attributes: [kv('l', { boolValue: true })],
                  },
                ],
                status: { code: 2, message: 'failed' },
              },
              // Refused one by one, alike in both encodings.
              { ...base, spanId: '00f067aa0ba902c1', attributes: [{ value: { stringValue: 'no key' } }] },
              { ...base, spanId: '00f067aa0ba902c2', startTimeUnixNano: '9223372036854775808', endTimeUnixNano: '9223372036854775809' },
              { ...base, spanId: '00f067aa0ba902c3', startTimeUnixNano: '0' },
              { ...base, spanId: '00f067aa0ba902c4', endTimeUnixNano: '1764000000000000000' },
              { ...base, spanId: '00f067aa0ba902c5', events: [{ name: 'no time' }] },
              { ...base, spanId: '00f067aa0ba902c6', attributes: [kv('deep', deep)] },
            ],
          },
          { scope: { name: 's', version: '', attributes: [kv('k', { stringValue: 'v' })] }, schemaUrl: '', spans: [{ ...base, spanId: '00f067aa0ba902d1' }] },
        ],
      },
      { resourceSpans: 'ignored: an unknown field' },
    ],
  };
}

/** The message decoded as before: toObject's plain copy (64-bit integers as strings, unset fields left out). */
function decodedAsBefore(bytes: Uint8Array): unknown {
  const message = decodeTraceRequest(bytes);
  return message.$type.toObject(message, { longs: String, enums: Number, defaults: false, arrays: false, oneofs: false });
}

describe('the decoded protobuf message, read directly', () => {
  const limits: SpanLimits[] = [WIDE, { attributeValueLength: 3, attributeCount: 2, eventCount: 1, linkCount: 0 }];

  it("reads as its toObject copy did: the SDK's spans and the edge cases, with wide and tight caps", () => {
    const protobuf = ProtobufTraceSerializer.serializeRequest(recordSpans());
    if (!protobuf) throw new Error('the serializer produced nothing');
    // Two values in one AnyValue: on the wire the last one wins (proto3), as protobufjs reads it.
    const twoValues = protobufRequest({ resourceSpans: [{ resource: { attributes: [{ key: 'two', value: { stringValue: 'a', intValue: '1' } }] } }] });
    for (const bytes of [protobuf, protobufRequest(edgeRequest()), twoValues]) {
      for (const caps of limits)
        expect(readTraceRequest(decodeTraceRequest(bytes), 'bytes', caps)).toEqual(readTraceRequest(decodedAsBefore(bytes), 'bytes', caps));
    }
  });

  it('and the edge cases read from protobuf as from OTLP/JSON: 64-bit integers whole, unset fields absent, the same refusals', () => {
    for (const caps of limits) {
      const fromProtobuf = readTraceRequest(decodeTraceRequest(protobufRequest(edgeRequest())), 'bytes', caps);
      const fromJson = readTraceRequest(JSON.parse(JSON.stringify(edgeRequest())), 'hex', caps);
      expect(fromProtobuf).toEqual(fromJson);
    }
    const { spans, rejected } = readTraceRequest(decodeTraceRequest(protobufRequest(edgeRequest())), 'bytes', WIDE);
    expect(spans.map((s) => s.spanId)).toEqual(['00f067aa0ba902b7', '00f067aa0ba902b8', '00f067aa0ba902d1']);
    expect(rejected.map((r) => r.reason.replace(/^\S+ /, ''))).toEqual([
      'must be {"key": "<string>", "value": {…}}',
      'must be a time in nanoseconds since the Unix epoch, as a decimal string such as "1764000000000000000"',
      'must be a time in nanoseconds since the Unix epoch, as a decimal string such as "1764000000000000000"',
      'is before startTimeUnixNano',
      'must be a time in nanoseconds since the Unix epoch, as a decimal string such as "1764000000000000000"',
      'nests deeper than 16 levels',
    ]);
    const [unset, full] = spans;
    expect(unset).toMatchObject({
      parentSpanId: null,
      traceState: null,
      flags: 0x3ff,
      name: '',
      kind: 0,
      statusCode: 0,
      statusMessage: null,
      events: [],
      links: [],
      droppedLinksCount: 0,
    });
    expect(full).toMatchObject({
      parentSpanId: '00f067aa0ba902b7',
      flags: 0x100,
      statusCode: 2,
      droppedAttributesCount: 1,
      droppedEventsCount: 2,
      droppedLinksCount: 3,
    });
    expect(full?.events[0]?.timeUnixNano).toBe('9223372036854775807');
    expect(unset?.source.resource).toEqual({
      attributes: {
        'int64.max': '9223372036854775807',
        'int64.min': '-9223372036854775808',
        'int64.safe': 9007199254740991,
        'int64.unsafe': '-9007199254740993',
        'int64.neg': -42,
        'int64.zero': 0,
        'double.zero': 0,
        'double.nan': 'NaN',
        'double.inf': '-Infinity',
        'string.empty': '',
        'bool.false': false,
        'bytes.empty': '',
        bytes: 'AP8=',
        'empty.value': null,
        'no.value': null,
        'array.empty': [],
        'kvlist.empty': {},
        kvlist: { a: 'last wins' },
      },
      droppedAttributesCount: 3,
      schemaUrl: null,
    });
    expect(spans[2]?.source.scope).toEqual({ name: 's', version: null, attributes: { k: 'v' }, droppedAttributesCount: 0, schemaUrl: null });
  });
});

describe("strings of the decoded message (Node's UTF-8 decoding in place of protobufjs's)", () => {
  // A span named with placeholder bytes, then given other bytes of the same length on the wire.
  const PLACEHOLDER = 'QQQQQQQQQQQQ';
  function withName(bytes: number[]): Uint8Array {
    const request = edgeRequest() as { resourceSpans: Array<{ scopeSpans: Array<{ spans: Array<Record<string, unknown>> }> }> };
    const span = request.resourceSpans[0]?.scopeSpans[1]?.spans[0];
    if (!span) throw new Error('no span');
    span.name = PLACEHOLDER;
    const encoded = Buffer.from(protobufRequest(request));
    const at = encoded.indexOf(PLACEHOLDER);
    Buffer.from(bytes.concat(Array(PLACEHOLDER.length - bytes.length).fill(0x41))).copy(encoded, at);
    return encoded;
  }

  it.each([
    ['a lone continuation byte', [0x80]],
    ['a truncated sequence', [0xc3, 0x28]],
    ['an overlong encoding', [0xc0, 0xaf]],
    ['a UTF-16 surrogate', [0xed, 0xa0, 0x80]],
    ['a code point past U+10FFFF', [0xf4, 0x90, 0x80, 0x80]],
    ['an invalid byte after eight valid ones', [0x41, 0x41, 0x41, 0x41, 0x41, 0x41, 0x41, 0x41, 0xff]],
  ])('%s is refused, as protobufjs refuses it', (_what, bytes) => {
    const encoded = withName(bytes);
    expect(() => decodeTraceRequest(encoded)).toThrow(ProtobufDecodeError);
    const message = decodeTraceRequest(protobufRequest(edgeRequest()));
    expect(() => message.$type.decode(encoded)).toThrow();
  });

  it('valid text reads as OTLP/JSON reads it: a U+FFFD sent, a BOM anywhere, astral characters', () => {
    const name = '12345678\uFEFF\uFFFD é 🦦';
    const request = edgeRequest() as { resourceSpans: Array<{ scopeSpans: Array<{ spans: Array<Record<string, unknown>> }> }> };
    const span = request.resourceSpans[0]?.scopeSpans[1]?.spans[0];
    if (!span) throw new Error('no span');
    span.name = name;
    const fromProtobuf = readTraceRequest(decodeTraceRequest(protobufRequest(request)), 'bytes', WIDE);
    expect(fromProtobuf).toEqual(readTraceRequest(JSON.parse(JSON.stringify(request)), 'hex', WIDE));
    expect(fromProtobuf.spans.find((s) => s.spanId === '00f067aa0ba902d1')?.name).toBe(name);
  });
});
