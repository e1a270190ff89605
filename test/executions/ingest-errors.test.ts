import crypto from 'node:crypto';
import zlib from 'node:zlib';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeStatus, decodeTraceResponse, encodeTraceRequest } from '../../src/ingest/otlp-proto.js';
import { deployNew } from '../support/automation-fixtures.js';
import {
  hex,
  ingestTokenOf,
  otlpRequest,
  otlpSpan,
  postProtobuf,
  postTraces,
  protobufRequest,
  protobufShape,
  run,
  spanCount,
  storedSpanIds,
  tracesUrl,
  type IngestResponse,
} from '../support/execution-fixtures.js';
import { expectAllowed } from '../support/expect.js';
import { isolatedOrg, startClusterEnv, type ClusterEnv } from '../support/k8s-setup.js';
import { startRuntimeStub, type RuntimeStub } from '../support/runtime-stub.js';

// Issue 4, and issue 10's OTLP/HTTP as specified: a request whose structure is wrong, too large,
// of the wrong media type or from the wrong token is refused with a google.rpc.Status in the
// request's encoding, and nothing of it is stored. A span that is wrong on its own is rejected
// alone: 200 with partial_success naming it, and the spans beside it are stored. Only a
// deployment's ingest token may report, and only for its own automation's executions.
const LIMIT = 65_536;
const MAX_SPANS = 20;
// google.rpc.Code
const INVALID_ARGUMENT = 3;
const RESOURCE_EXHAUSTED = 8;
const UNIMPLEMENTED = 12;
const UNAUTHENTICATED = 16;
const NOTHING_STORED = 'Nothing of this request was stored';

let runtime: RuntimeStub;
let env: ClusterEnv;
let org: Awaited<ReturnType<typeof isolatedOrg>>;
const a = { automationId: '', token: '', executionId: '' };
const b = { automationId: '', token: '', executionId: '' };

beforeAll(async () => {
  runtime = await startRuntimeStub();
  env = await startClusterEnv('automatic', {
    RUNNER_URL_TEMPLATE: runtime.urlTemplate,
    OTLP_MAX_BYTES: String(LIMIT),
    OTLP_MAX_SPANS_PER_REQUEST: String(MAX_SPANS),
  });
  org = await isolatedOrg(env.gw);
  for (const side of [a, b]) {
    side.automationId = (await deployNew(env.gw, org.owner.token, org.organizationId, org.repo)).automationId;
    side.token = ingestTokenOf(env, org.namespace, side.automationId);
    side.executionId = (await run(env.gw, org.owner.token, side.automationId)).id;
  }
});
afterAll(async () => {
  await env?.close();
  await runtime?.close();
});

type Span = Record<string, unknown>;
const valid = () => otlpRequest([otlpSpan({ executionId: a.executionId })]);
const SPAN = 'resourceSpans[0].scopeSpans[0].spans[1]';

/** A refusal as OTLP/HTTP defines it in JSON: a google.rpc.Status, and nothing else. */
function expectStatus(response: IngestResponse, status: number, code: number, ...message: string[]): void {
  expect(response.status, JSON.stringify(response.body)).toBe(status);
  expect(response.headers.get('content-type')).toBe('application/json');
  expect(Object.keys(response.body).sort()).toEqual(['code', 'message']);
  expect(response.body.code).toBe(code);
  for (const part of message) expect(response.body.message).toContain(part);
}

/** The same in protobuf. */
function protobufStatus(response: { status: number; headers: Headers; bytes: Uint8Array }): { code?: number; message?: string } {
  expect(response.headers.get('content-type')).toBe('application/x-protobuf');
  return decodeStatus(response.bytes) as { code?: number; message?: string };
}

describe('authentication', () => {
  it.each([
    ['no Authorization header', () => undefined],
    ['a well-formed token that was never issued', () => `ghi_${crypto.randomBytes(32).toString('base64url')}`],
    ["a user's API token", () => org.owner.token],
  ])('%s is 401 UNAUTHENTICATED, and nothing is stored', async (_what, token) => {
    const before = await spanCount(env.gw, a.executionId);
    const response = await postTraces(env.gw, token(), valid());
    expectStatus(response, 401, UNAUTHENTICATED, 'ingest token');
    expect(response.headers.get('www-authenticate')).toBe('Bearer');
    expect(await spanCount(env.gw, a.executionId)).toBe(before);
  });

  it("the deployment's own token is accepted (the allowed twin)", async () => {
    const before = await spanCount(env.gw, a.executionId);
    expect(await postTraces(env.gw, a.token, valid())).toMatchObject({ status: 200, body: {} });
    expect(await spanCount(env.gw, a.executionId)).toBe(before + 1);
  });

  it('a protobuf request without a valid token gets a protobuf Status', async () => {
    const response = await postProtobuf(env.gw, undefined, protobufRequest(valid()));
    expect(response.status).toBe(401);
    expect(protobufStatus(response)).toEqual({ code: UNAUTHENTICATED, message: expect.stringContaining('ingest token') });
  });

  it("a deleted automation's token stops working", async () => {
    const gone = (await deployNew(env.gw, org.owner.token, org.organizationId, org.repo)).automationId;
    const token = ingestTokenOf(env, org.namespace, gone);
    const execution = await run(env.gw, org.owner.token, gone);
    expect((await postTraces(env.gw, token, otlpRequest([otlpSpan({ executionId: execution.id })]))).status).toBe(200);
    await expectAllowed(env.gw, org.owner.token, 'mutation($id: ID!) { deleteAutomation(id: $id) { id } }', { id: gone });
    expect((await postTraces(env.gw, token, otlpRequest([otlpSpan({ executionId: execution.id })]))).status).toBe(401);
  });
});

describe('what is sent', () => {
  it('anything but POST is 405, with Allow', async () => {
    const response = await fetch(tracesUrl(env.gw), { headers: { authorization: `Bearer ${a.token}` } });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('POST');
    expect(await response.json()).toEqual({ code: UNIMPLEMENTED, message: expect.stringContaining('POST') });
  });

  it.each([
    ['text/plain', 'application/json; charset=utf-8'],
    ['application/octet-stream', 'application/x-protobuf'],
    ['application/grpc', 'application/protobuf'],
  ])('Content-Type %s is 415 naming both encodings; its twin %s is accepted', async (wrong, right) => {
    const before = await spanCount(env.gw, a.executionId);
    const body = (type: string) => (type.includes('json') ? JSON.stringify(valid()) : protobufRequest(valid()));
    const refused = await postTraces(env.gw, a.token, body(right), { 'content-type': wrong });
    expectStatus(refused, 415, INVALID_ARGUMENT, 'application/x-protobuf', 'application/json');
    expect(await spanCount(env.gw, a.executionId)).toBe(before);
    const accepted = await fetch(tracesUrl(env.gw), {
      method: 'POST',
      headers: { authorization: `Bearer ${a.token}`, 'content-type': right },
      body: body(right),
    });
    expect(accepted.status).toBe(200);
    expect(await spanCount(env.gw, a.executionId)).toBe(before + 1);
  });

  it.each([['br'], ['deflate'], ['zstd']])("Content-Encoding %s is 415 in the request's encoding; gzip and identity are accepted", async (encoding) => {
    const before = await spanCount(env.gw, a.executionId);
    const json = await postTraces(env.gw, a.token, valid(), { 'content-encoding': encoding });
    expectStatus(json, 415, INVALID_ARGUMENT, `Content-Encoding "${encoding}" is not supported`, NOTHING_STORED);
    const proto = await postProtobuf(env.gw, a.token, protobufRequest(valid()), { 'content-encoding': encoding });
    expect(proto.status).toBe(415);
    expect(protobufStatus(proto)).toEqual({ code: INVALID_ARGUMENT, message: expect.stringContaining('Content-Encoding') });
    expect(await spanCount(env.gw, a.executionId)).toBe(before);
    expect((await postTraces(env.gw, a.token, valid(), { 'content-encoding': 'identity' })).status).toBe(200);
    expect((await postProtobuf(env.gw, a.token, zlib.gzipSync(protobufRequest(valid())), { 'content-encoding': 'gzip' })).status).toBe(200);
    expect(await spanCount(env.gw, a.executionId)).toBe(before + 2);
  });

  it('a body over OTLP_MAX_BYTES is 413, compressed or not, and nothing is stored', async () => {
    const before = await spanCount(env.gw, a.executionId);
    const padding = 'x'.repeat(LIMIT);
    const big = otlpRequest([otlpSpan({ executionId: a.executionId, attributes: { padding } })]);
    const plain = await postTraces(env.gw, a.token, big);
    expectStatus(plain, 413, RESOURCE_EXHAUSTED, 'OTLP_MAX_BYTES', NOTHING_STORED);
    // Small on the wire, over the limit once inflated.
    const gzipped = zlib.gzipSync(JSON.stringify(big));
    expect(gzipped.length).toBeLessThan(LIMIT);
    expectStatus(await postTraces(env.gw, a.token, gzipped, { 'content-encoding': 'gzip' }), 413, RESOURCE_EXHAUSTED, 'OTLP_MAX_BYTES');
    expect(await spanCount(env.gw, a.executionId)).toBe(before);
  });

  it('a protobuf gzip bomb (a kilobyte that inflates to a megabyte) is 413 with a protobuf Status, and nothing is stored', async () => {
    const before = await spanCount(env.gw, a.executionId);
    const inflated = protobufRequest(otlpRequest([otlpSpan({ executionId: a.executionId, attributes: { padding: 'x'.repeat(16 * LIMIT) } })]));
    const bomb = zlib.gzipSync(inflated, { level: 9 });
    expect(inflated.length).toBeGreaterThan(16 * LIMIT);
    expect(bomb.length).toBeLessThan(LIMIT / 16);
    const response = await postProtobuf(env.gw, a.token, bomb, { 'content-encoding': 'gzip' });
    expect(response.status).toBe(413);
    expect(protobufStatus(response)).toEqual({ code: RESOURCE_EXHAUSTED, message: expect.stringContaining('OTLP_MAX_BYTES') });
    expect(await spanCount(env.gw, a.executionId)).toBe(before);
  });

  it('gzipped exports within the limit are accepted, JSON and protobuf', async () => {
    const before = await spanCount(env.gw, a.executionId);
    const json = await postTraces(env.gw, a.token, zlib.gzipSync(JSON.stringify(valid())), { 'content-encoding': 'gzip' });
    expect(json).toMatchObject({ status: 200, body: {} });
    const proto = await postProtobuf(env.gw, a.token, zlib.gzipSync(protobufRequest(valid())), { 'content-encoding': 'gzip' });
    expect(proto.status).toBe(200);
    expect(decodeTraceResponse(proto.bytes)).toEqual({});
    expect(await spanCount(env.gw, a.executionId)).toBe(before + 2);
  });

  it(`more than OTLP_MAX_SPANS_PER_REQUEST (${MAX_SPANS}) spans is 413 and nothing is stored; exactly ${MAX_SPANS} is accepted`, async () => {
    const before = await spanCount(env.gw, a.executionId);
    const spans = (n: number) => Array.from({ length: n }, () => otlpSpan({ executionId: a.executionId }));
    const refused = await postTraces(env.gw, a.token, otlpRequest(spans(MAX_SPANS + 1)));
    expectStatus(refused, 413, RESOURCE_EXHAUSTED, `${MAX_SPANS + 1} spans`, 'OTLP_MAX_SPANS_PER_REQUEST', NOTHING_STORED);
    // Spans that would be rejected count too: the bound is on what the gateway has to read.
    const withBad = otlpRequest([...spans(MAX_SPANS), { ...otlpSpan({ executionId: a.executionId }), spanId: 'bad' }]);
    expectStatus(await postTraces(env.gw, a.token, withBad), 413, RESOURCE_EXHAUSTED, 'OTLP_MAX_SPANS_PER_REQUEST');
    const proto = await postProtobuf(env.gw, a.token, protobufRequest(otlpRequest(spans(MAX_SPANS + 1))));
    expect(proto.status).toBe(413);
    expect(protobufStatus(proto).message).toContain('OTLP_MAX_SPANS_PER_REQUEST');
    expect(await spanCount(env.gw, a.executionId)).toBe(before);
    expect(await postTraces(env.gw, a.token, otlpRequest(spans(MAX_SPANS)))).toMatchObject({ status: 200, body: {} });
    expect(await spanCount(env.gw, a.executionId)).toBe(before + MAX_SPANS);
  });

  it('unknown fields are ignored: a protobuf field number OTLP does not define, and an unknown JSON key', async () => {
    const before = await spanCount(env.gw, a.executionId);
    const encoded = protobufRequest(valid());
    // Field 99, wire type 0 (varint), value 1: tag (99 << 3 | 0) = 792 = varint 0x98 0x06.
    const withUnknown = Buffer.concat([encoded, Buffer.from([0x98, 0x06, 0x01])]);
    const proto = await postProtobuf(env.gw, a.token, withUnknown);
    expect(proto.status).toBe(200);
    expect(decodeTraceResponse(proto.bytes)).toEqual({});
    const json = await postTraces(env.gw, a.token, { ...valid(), futureField: { x: 1 } });
    expect(json).toMatchObject({ status: 200, body: {} });
    expect(await spanCount(env.gw, a.executionId)).toBe(before + 2);
  });
});

describe('a request whose structure is wrong is 400 and stores nothing, not even its valid spans', () => {
  it.each([
    ['invalid JSON', '{"resourceSpans": [', '{"resourceSpans": []}', 'not valid JSON'],
    ['a body that is not gzip, sent as gzip', 'not gzip at all', null, 'not valid gzip'],
  ])('%s is 400 saying so', async (_what, wrong, right, message) => {
    const headers: Record<string, string> = right === null ? { 'content-encoding': 'gzip' } : {};
    expectStatus(await postTraces(env.gw, a.token, wrong, headers), 400, INVALID_ARGUMENT, message, NOTHING_STORED);
    const twin = right ?? zlib.gzipSync(JSON.stringify(valid()));
    expect(await postTraces(env.gw, a.token, twin, headers)).toMatchObject({ status: 200, body: {} });
  });

  it('protobuf bytes that are no ExportTraceServiceRequest are 400 with a protobuf google.rpc.Status; valid protobuf is stored', async () => {
    const before = await spanCount(env.gw, a.executionId);
    // Field 1 (resource_spans), length-delimited, claiming 127 bytes where 2 follow.
    const truncated = new Uint8Array([0x0a, 0x7f, 0x0a, 0x00]);
    // Wire type 7 does not exist.
    const badWireType = new Uint8Array([0x0f, 0x01]);
    for (const bytes of [truncated, badWireType]) {
      const response = await postProtobuf(env.gw, a.token, bytes);
      expect(response.status).toBe(400);
      expect(protobufStatus(response)).toEqual({ code: INVALID_ARGUMENT, message: expect.stringContaining('not a protobuf ExportTraceServiceRequest') });
    }
    expect(await spanCount(env.gw, a.executionId)).toBe(before);
    const twin = await postProtobuf(env.gw, a.token, protobufRequest(valid()));
    expect(twin.status).toBe(200);
    expect(await spanCount(env.gw, a.executionId)).toBe(before + 1);
  });

  // Each row: the request with a valid span of a, broken one way, and its twin, mended.
  type Build = (span: Span) => unknown;
  const rs = (span: Span) => (otlpRequest([span]).resourceSpans as Span[])[0] as Span;
  const ss = (span: Span) => (rs(span).scopeSpans as Span[])[0] as Span;
  const STRUCTURE: Array<[string, Build, Build, string]> = [
    ['a body that is not an object', (s) => [otlpRequest([s])], (s) => otlpRequest([s]), 'The request body must be an object'],
    ['resourceSpans that is not a list', (s) => ({ resourceSpans: rs(s) }), (s) => ({ resourceSpans: [rs(s)] }), 'resourceSpans must be a list'],
    [
      'a resourceSpans entry that is not an object',
      (s) => ({ resourceSpans: [rs(s), 'x'] }),
      (s) => ({ resourceSpans: [rs(s), {}] }),
      'resourceSpans[1] must be an object',
    ],
    [
      'a resource that is not an object',
      (s) => ({ resourceSpans: [{ ...rs(s), resource: 'crew-runtime' }] }),
      (s) => ({ resourceSpans: [{ ...rs(s), resource: {} }] }),
      'resourceSpans[0].resource must be an object',
    ],
    [
      'a resource attribute with two values',
      (s) => ({ resourceSpans: [{ ...rs(s), resource: { attributes: [{ key: 'service.name', value: { stringValue: 'crew', boolValue: true } }] } }] }),
      (s) => ({ resourceSpans: [{ ...rs(s), resource: { attributes: [{ key: 'service.name', value: { stringValue: 'crew' } }] } }] }),
      'resourceSpans[0].resource.attributes[0].value must hold one value, not stringValue and boolValue',
    ],
    [
      'scopeSpans that is not a list',
      (s) => ({ resourceSpans: [{ ...rs(s), scopeSpans: ss(s) }] }),
      (s) => ({ resourceSpans: [{ ...rs(s), scopeSpans: [ss(s)] }] }),
      'resourceSpans[0].scopeSpans must be a list',
    ],
    [
      'a scope that is not an object',
      (s) => ({ resourceSpans: [{ ...rs(s), scopeSpans: [{ ...ss(s), scope: 'crew' }] }] }),
      (s) => ({ resourceSpans: [{ ...rs(s), scopeSpans: [{ ...ss(s), scope: { name: 'crew' } }] }] }),
      'resourceSpans[0].scopeSpans[0].scope must be an object',
    ],
    [
      'a scope name that is not a string',
      (s) => ({ resourceSpans: [{ ...rs(s), scopeSpans: [{ ...ss(s), scope: { name: 7 } }] }] }),
      (s) => ({ resourceSpans: [{ ...rs(s), scopeSpans: [{ ...ss(s), scope: { name: '7' } }] }] }),
      'resourceSpans[0].scopeSpans[0].scope.name must be a string',
    ],
    [
      'spans that is not a list',
      (s) => ({ resourceSpans: [{ ...rs(s), scopeSpans: [{ spans: s }] }] }),
      (s) => ({ resourceSpans: [{ ...rs(s), scopeSpans: [{ spans: [s] }] }] }),
      'resourceSpans[0].scopeSpans[0].spans must be a list',
    ],
  ];

  it.each(STRUCTURE)('%s: 400 naming the path, and nothing stored', async (_what, wrong, _right, message) => {
    const before = await spanCount(env.gw, a.executionId);
    expectStatus(await postTraces(env.gw, a.token, wrong(otlpSpan({ executionId: a.executionId }))), 400, INVALID_ARGUMENT, message, NOTHING_STORED);
    expect(await spanCount(env.gw, a.executionId)).toBe(before);
  });

  it.each(STRUCTURE)('%s, mended: stored', async (_what, _wrong, right) => {
    const span = otlpSpan({ executionId: a.executionId });
    expect(await postTraces(env.gw, a.token, right(span))).toMatchObject({ status: 200, body: {} });
    expect(await storedSpanIds(env.gw, a.executionId)).toContain(span.spanId);
  });
});

describe('a span that is wrong on its own is rejected alone: 200, partial_success names it, its sibling is stored', () => {
  const exec = () => ({ key: 'gatehouse.execution.id', value: { stringValue: a.executionId } });
  type Change = (span: Span) => unknown;
  const set =
    (changes: Record<string, unknown> | (() => Record<string, unknown>)): Change =>
    (s) => ({ ...s, ...(typeof changes === 'function' ? changes() : changes) });
  const without =
    (key: string): Change =>
    (s) =>
      Object.fromEntries(Object.entries(s).filter(([k]) => k !== key));
  // [what, the rejected span, its accepted twin, the reason, which names the path]
  const SPANS: Array<[string, Change, Change, string]> = [
    ['a span that is not an object', () => 'span', (s) => s, `${SPAN} must be an object`],
    [
      'a trace id in base64 (OTLP/JSON ids are hex)',
      (s) => ({ ...s, traceId: Buffer.from(String(s.traceId), 'hex').toString('base64') }),
      (s) => ({ ...s, traceId: String(s.traceId).toUpperCase() }),
      `${SPAN}.traceId must be 32 hex characters, not all zero (OTLP/JSON encodes ids as hex, not base64)`,
    ],
    [
      'an all-zero trace id',
      set({ traceId: '0'.repeat(32) }),
      set({ traceId: `${'0'.repeat(31)}1` }),
      `${SPAN}.traceId must be 32 hex characters, not all zero`,
    ],
    ['a short span id', set({ spanId: 'abc' }), set(() => ({ spanId: hex(8) })), `${SPAN}.spanId must be 16 hex characters`],
    ['a parent span id that is not hex', set({ parentSpanId: 'zz'.repeat(8) }), set({ parentSpanId: '' }), `${SPAN}.parentSpanId must be 16 hex characters`],
    [
      'a missing start time',
      without('startTimeUnixNano'),
      set({ startTimeUnixNano: 1_000_000_000 }),
      `${SPAN}.startTimeUnixNano must be a time in nanoseconds`,
    ],
    ['a zero start time', set({ startTimeUnixNano: '0' }), set({ startTimeUnixNano: '1' }), `${SPAN}.startTimeUnixNano must be a time in nanoseconds`],
    [
      'a missing end time',
      without('endTimeUnixNano'),
      (s) => ({ ...s, endTimeUnixNano: s.startTimeUnixNano }),
      `${SPAN}.endTimeUnixNano must be a time in nanoseconds`,
    ],
    [
      'an end before the start',
      set({ endTimeUnixNano: '1000000' }),
      (s) => ({ ...s, endTimeUnixNano: s.startTimeUnixNano }),
      `${SPAN}.endTimeUnixNano is before startTimeUnixNano`,
    ],
    [
      'a status that is not an object',
      set({ status: 'ERROR' }),
      set({ status: { code: 'STATUS_CODE_ERROR', message: 'it broke' } }),
      `${SPAN}.status must be an object`,
    ],
    [
      'a kind name OTLP does not define',
      set({ kind: 'SPAN_KIND_BOGUS' }),
      set({ kind: 'SPAN_KIND_SERVER' }),
      `${SPAN}.kind must be one of 0 (SPAN_KIND_UNSPECIFIED)`,
    ],
    [
      'attributes that are not a list',
      set(() => ({ attributes: { 'gatehouse.execution.id': a.executionId } })),
      set(() => ({ attributes: [exec()] })),
      `${SPAN}.attributes must be a list`,
    ],
    [
      'an AnyValue with two values',
      set(() => ({ attributes: [exec(), { key: 'x', value: { stringValue: 'a', intValue: '1' } }] })),
      set(() => ({ attributes: [exec(), { key: 'x', value: {} }] })),
      `${SPAN}.attributes[1].value must hold one value, not stringValue and intValue`,
    ],
    [
      'an intValue that is not an integer',
      set(() => ({ attributes: [exec(), { key: 'n', value: { intValue: '1.5' } }] })),
      set(() => ({ attributes: [exec(), { key: 'n', value: { intValue: '-15' } }] })),
      `${SPAN}.attributes[1].value.intValue must be an integer`,
    ],
    [
      'a negative dropped count',
      set({ droppedAttributesCount: -1 }),
      set({ droppedAttributesCount: 3 }),
      `${SPAN}.droppedAttributesCount must be a whole number`,
    ],
    [
      'an event without a time',
      set({ events: [{ name: 'retry' }] }),
      (s) => ({ ...s, events: [{ name: 'retry', timeUnixNano: s.startTimeUnixNano }] }),
      `${SPAN}.events[0].timeUnixNano must be a time`,
    ],
    [
      'a link with a short span id',
      (s) => ({ ...s, links: [{ traceId: s.traceId, spanId: 'ab' }] }),
      (s) => ({ ...s, links: [{ traceId: s.traceId, spanId: hex(8) }] }),
      `${SPAN}.links[0].spanId must be 16 hex characters`,
    ],
    [
      'no execution id',
      set({ attributes: [] }),
      set(() => ({ attributes: [{ key: 'gatehouse.execution.id', value: { stringValue: a.executionId.toUpperCase() } }] })),
      `${SPAN} has no "gatehouse.execution.id" attribute (on the span or its resource)`,
    ],
    [
      'an execution id that is not a UUID',
      set({ attributes: [{ key: 'gatehouse.execution.id', value: { stringValue: 'run-1' } }] }),
      set(() => ({ attributes: [{ key: 'gatehouse.execution.id', value: { stringValue: a.executionId.toUpperCase() } }] })),
      `${SPAN} attribute "gatehouse.execution.id" must be the executionId of the kickoff (a UUID)`,
    ],
    [
      'an execution id that is not a string',
      set({ attributes: [{ key: 'gatehouse.execution.id', value: { intValue: '7' } }] }),
      set(() => ({ attributes: [exec()] })),
      `${SPAN} attribute "gatehouse.execution.id" must be the executionId of the kickoff`,
    ],
    // On a span with a parent, the status is ignored (README "Traces"), so the same value passes.
    [
      'an unknown execution status on a root span',
      set(() => ({ attributes: [exec(), { key: 'gatehouse.execution.status', value: { stringValue: 'DONE' } }] })),
      set(() => ({ parentSpanId: hex(8), attributes: [exec(), { key: 'gatehouse.execution.status', value: { stringValue: 'DONE' } }] })),
      `${SPAN} attribute "gatehouse.execution.status" must be SUCCEEDED or FAILED`,
    ],
  ];

  it.each(SPANS)('%s: rejected alone', async (_what, wrong, _right, reason) => {
    const before = await spanCount(env.gw, a.executionId);
    const sibling = otlpSpan({ executionId: a.executionId });
    const bad = wrong(otlpSpan({ executionId: a.executionId })) as Span;
    const response = await postTraces(env.gw, a.token, otlpRequest([sibling, bad]));
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ partialSuccess: { rejectedSpans: 1, errorMessage: expect.stringContaining(reason) } });
    expect(response.body.partialSuccess?.errorMessage).toMatch(/^1 span\(s\) rejected and not stored: /);
    const stored = await storedSpanIds(env.gw, a.executionId);
    expect(stored).toContain(sibling.spanId);
    if (typeof bad === 'object' && typeof bad.spanId === 'string') expect(stored).not.toContain(bad.spanId.toLowerCase());
    expect(stored).toHaveLength(before + 1);
  });

  it.each(SPANS)('%s, mended: both spans stored, nothing to say', async (_what, _wrong, right) => {
    const before = await spanCount(env.gw, a.executionId);
    const sibling = otlpSpan({ executionId: a.executionId });
    const good = right(otlpSpan({ executionId: a.executionId })) as Span;
    expect(await postTraces(env.gw, a.token, otlpRequest([sibling, good]))).toMatchObject({ status: 200, body: {} });
    const stored = await storedSpanIds(env.gw, a.executionId);
    expect(stored).toEqual(expect.arrayContaining([sibling.spanId, String(good.spanId).toLowerCase()]));
    expect(stored).toHaveLength(before + 2);
  });

  it('the first three reasons are named and the rest counted', async () => {
    const before = await spanCount(env.gw, a.executionId);
    const bad = Array.from({ length: 5 }, () => ({ ...otlpSpan({ executionId: a.executionId }), spanId: 'short' }));
    const response = await postTraces(env.gw, a.token, otlpRequest([otlpSpan({ executionId: a.executionId }), ...bad]));
    expect(response.status).toBe(200);
    expect(response.body.partialSuccess?.rejectedSpans).toBe(5);
    const message = response.body.partialSuccess?.errorMessage ?? '';
    expect(message).toContain('5 span(s) rejected and not stored');
    for (const i of [1, 2, 3]) expect(message).toContain(`spans[${i}].spanId`);
    expect(message).not.toContain('spans[4]');
    expect(message).toContain('and 2 more');
    expect(await spanCount(env.gw, a.executionId)).toBe(before + 1);
  });

  it('over protobuf: a rejected span is answered with an ExportTraceServiceResponse carrying partial_success', async () => {
    const cases: Array<[Span, string]> = [
      [{ ...otlpSpan({}), attributes: [] }, `${SPAN} has no "gatehouse.execution.id" attribute`],
      [{ ...otlpSpan({ executionId: a.executionId }), traceId: 'abcdef' }, `${SPAN}.traceId must be 16 bytes, not all zero`],
      [{ ...otlpSpan({ executionId: a.executionId }), spanId: '00'.repeat(8) }, `${SPAN}.spanId must be 8 bytes, not all zero`],
    ];
    for (const [bad, reason] of cases) {
      const before = await spanCount(env.gw, a.executionId);
      const sibling = otlpSpan({ executionId: a.executionId });
      const response = await postProtobuf(env.gw, a.token, protobufRequest(otlpRequest([sibling, bad])));
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('application/x-protobuf');
      expect(decodeTraceResponse(response.bytes)).toEqual({ partialSuccess: { rejectedSpans: 1, errorMessage: expect.stringContaining(reason) } });
      expect(await storedSpanIds(env.gw, a.executionId)).toContain(sibling.spanId);
      expect(await spanCount(env.gw, a.executionId)).toBe(before + 1);
    }
  });

  it('over protobuf, the mended twin: both stored, and an empty ExportTraceServiceResponse', async () => {
    const before = await spanCount(env.gw, a.executionId);
    const response = await postProtobuf(
      env.gw,
      a.token,
      protobufRequest(otlpRequest([otlpSpan({ executionId: a.executionId }), otlpSpan({ executionId: a.executionId })])),
    );
    expect(response.status).toBe(200);
    expect(response.bytes).toHaveLength(0);
    expect(decodeTraceResponse(response.bytes)).toEqual({});
    expect(await spanCount(env.gw, a.executionId)).toBe(before + 2);
  });
});

describe('accepted with a note, not rejected', () => {
  const kindOf = async (spanId: string) =>
    Number(
      (
        await env.gw.db
          .selectFrom('spans')
          .select('kind')
          .where(sql`encode(span_id, 'hex')`, '=', spanId)
          .executeTakeFirstOrThrow()
      ).kind,
    );

  it.each([
    [9, 0],
    [-1, 0],
    [3, 3],
    ['SPAN_KIND_CONSUMER', 5],
  ])('span kind %j is stored as %i (unknown numbers read as UNSPECIFIED, as proto3 requires)', async (kind, stored) => {
    const span: Span = { ...otlpSpan({ executionId: a.executionId }), kind };
    expect(await postTraces(env.gw, a.token, otlpRequest([span]))).toMatchObject({ status: 200, body: {} });
    expect(await kindOf(String(span.spanId))).toBe(stored);
  });

  const tokensOf = async () => {
    const row = await env.gw.db.selectFrom('executions').select(['inputTokens', 'outputTokens']).where('id', '=', a.executionId).executeTakeFirstOrThrow();
    return { input: Number(row.inputTokens), output: Number(row.outputTokens) };
  };

  it.each([
    ['a negative', { 'gen_ai.usage.input_tokens': -3 }],
    ['a fractional', { 'gen_ai.usage.output_tokens': 1.5 }],
    ['a textual', { 'gen_ai.usage.input_tokens': 'many' }],
    ['an over-Int (2^31)', { 'gen_ai.usage.output_tokens': 2_147_483_648 }],
  ])('%s token count: the span is stored, the count ignored, and errorMessage warns (rejectedSpans 0)', async (_what, attributes) => {
    const before = { tokens: await tokensOf(), spans: await spanCount(env.gw, a.executionId) };
    const span = otlpSpan({ executionId: a.executionId, attributes });
    const response = await postTraces(env.gw, a.token, otlpRequest([span]));
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      partialSuccess: { rejectedSpans: 0, errorMessage: expect.stringContaining('1 gen_ai.usage token count(s) were not whole numbers') },
    });
    expect(await storedSpanIds(env.gw, a.executionId)).toContain(span.spanId);
    expect(await spanCount(env.gw, a.executionId)).toBe(before.spans + 1);
    expect(await tokensOf()).toEqual(before.tokens);
  });

  it('whole token counts (the twin) count, without a note', async () => {
    const before = await tokensOf();
    const span = otlpSpan({ executionId: a.executionId, attributes: { 'gen_ai.usage.input_tokens': 3, 'gen_ai.usage.output_tokens': 2_147_483_647 } });
    expect(await postTraces(env.gw, a.token, otlpRequest([span]))).toMatchObject({ status: 200, body: {} });
    expect(await tokensOf()).toEqual({ input: before.input + 3, output: before.output + 2_147_483_647 });
  });
});

describe('filing', () => {
  const MISSING = '00000000-0000-4000-8000-000000000000';

  it("a span naming another automation's execution is rejected alone, its sibling stored; the other automation's execution gets nothing", async () => {
    const before = { a: await spanCount(env.gw, a.executionId), b: await spanCount(env.gw, b.executionId) };
    const sibling = otlpSpan({ executionId: a.executionId });
    const response = await postTraces(env.gw, a.token, otlpRequest([sibling, otlpSpan({ executionId: b.executionId })]));
    expect(response.status).toBe(200);
    expect(response.body.partialSuccess).toEqual({
      rejectedSpans: 1,
      errorMessage: expect.stringContaining(`${SPAN} attribute "gatehouse.execution.id" names ${b.executionId}, which is not an execution of this automation`),
    });
    expect(await storedSpanIds(env.gw, a.executionId)).toContain(sibling.spanId);
    expect({ a: await spanCount(env.gw, a.executionId), b: await spanCount(env.gw, b.executionId) }).toEqual({ a: before.a + 1, b: before.b });
  });

  it("the twin: the same span sent with its own automation's token is stored", async () => {
    const before = await spanCount(env.gw, b.executionId);
    expect(await postTraces(env.gw, b.token, otlpRequest([otlpSpan({ executionId: b.executionId })]))).toMatchObject({ status: 200, body: {} });
    expect(await spanCount(env.gw, b.executionId)).toBe(before + 1);
  });

  it("an execution that does not exist gets the same words as another automation's: existence does not leak", async () => {
    const reasonFor = async (executionId: string) => {
      const response = await postTraces(env.gw, a.token, otlpRequest([otlpSpan({ executionId: a.executionId }), otlpSpan({ executionId })]));
      expect(response.status).toBe(200);
      expect(response.body.partialSuccess?.rejectedSpans).toBe(1);
      const message = response.body.partialSuccess?.errorMessage ?? '';
      expect(message).toContain(executionId);
      return message.replaceAll(executionId, '<id>');
    };
    const foreign = await reasonFor(b.executionId);
    const missing = await reasonFor(MISSING);
    expect(missing).toBe(foreign);
    expect(foreign).toContain(`${SPAN} attribute "gatehouse.execution.id" names <id>, which is not an execution of this automation`);
  });

  it('a re-sent batch is stored once', async () => {
    const before = await spanCount(env.gw, a.executionId);
    const batch = otlpRequest([otlpSpan({ executionId: a.executionId, name: 'retry me' }), otlpSpan({ executionId: a.executionId, name: 'and me' })]);
    expect((await postTraces(env.gw, a.token, batch)).status).toBe(200);
    expect((await postTraces(env.gw, a.token, batch)).status).toBe(200);
    expect((await postProtobuf(env.gw, a.token, protobufRequest(batch))).status).toBe(200);
    expect(await spanCount(env.gw, a.executionId)).toBe(before + 2);
  });

  it('the execution id may sit on the resource instead of the span; NUL in text is stored as U+FFFD', async () => {
    const span = otlpSpan({ name: 'bad\u0000byte' });
    const body = {
      resourceSpans: [
        { resource: { attributes: [{ key: 'gatehouse.execution.id', value: { stringValue: a.executionId } }] }, scopeSpans: [{ spans: [span] }] },
      ],
    };
    expect((await postTraces(env.gw, a.token, body)).status).toBe(200);
    const row = await env.gw.db
      .selectFrom('spans')
      .select('name')
      .where(sql`encode(span_id, 'hex')`, '=', String(span.spanId))
      .executeTakeFirstOrThrow();
    expect(row.name).toBe('bad\uFFFDbyte');
  });
});

describe('rate limit per deployment (OTLP_RATE_LIMIT_SPANS)', () => {
  const RATE = 10;
  let rateEnv: ClusterEnv;
  const c = { token: '', executionId: '' };
  const d = { token: '', executionId: '' };

  beforeAll(async () => {
    rateEnv = await startClusterEnv('automatic', {
      RUNNER_URL_TEMPLATE: runtime.urlTemplate,
      OTLP_RATE_LIMIT_SPANS: String(RATE),
      OTLP_RATE_LIMIT_WINDOW_SECONDS: '300',
    });
    const rateOrg = await isolatedOrg(rateEnv.gw);
    for (const side of [c, d]) {
      const automationId = (await deployNew(rateEnv.gw, rateOrg.owner.token, rateOrg.organizationId, rateOrg.repo)).automationId;
      side.token = ingestTokenOf(rateEnv, rateOrg.namespace, automationId);
      side.executionId = (await run(rateEnv.gw, rateOrg.owner.token, automationId)).id;
    }
  });
  afterAll(async () => rateEnv?.close());

  const spans = (executionId: string, n: number) => otlpRequest(Array.from({ length: n }, () => otlpSpan({ executionId })));

  it('within the limit is stored; past it is 429 with Retry-After, and nothing of that export is stored', async () => {
    expect(await postTraces(rateEnv.gw, c.token, spans(c.executionId, RATE - 4))).toMatchObject({ status: 200, body: {} });
    expect(await spanCount(rateEnv.gw, c.executionId)).toBe(RATE - 4);

    const refused = await postTraces(rateEnv.gw, c.token, spans(c.executionId, 5));
    expectStatus(refused, 429, RESOURCE_EXHAUSTED, `at most ${RATE} spans per 300 s (OTLP_RATE_LIMIT_SPANS)`, NOTHING_STORED);
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(Number.isInteger(retryAfter)).toBe(true);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(300);
    expect(await spanCount(rateEnv.gw, c.executionId)).toBe(RATE - 4);

    // Refused spans count too, so that hammering does not shorten the wait; the protobuf answer is a Status.
    const proto = await postProtobuf(rateEnv.gw, c.token, protobufRequest(spans(c.executionId, 1)));
    expect(proto.status).toBe(429);
    expect(proto.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(protobufStatus(proto)).toEqual({ code: RESOURCE_EXHAUSTED, message: expect.stringContaining('OTLP_RATE_LIMIT_SPANS') });
    expect(await spanCount(rateEnv.gw, c.executionId)).toBe(RATE - 4);
  });

  it('the limit is per deployment: another deployment reports its own spans meanwhile', async () => {
    expect(await postTraces(rateEnv.gw, d.token, spans(d.executionId, RATE))).toMatchObject({ status: 200, body: {} });
    expect(await spanCount(rateEnv.gw, d.executionId)).toBe(RATE);
  });

  it('requests that carry no span use none of the budget', async () => {
    // d has used its RATE spans: an export without spans is still answered 200, one with a span is not.
    expect(await postTraces(rateEnv.gw, d.token, { resourceSpans: [] })).toMatchObject({ status: 200, body: {} });
    expect((await postTraces(rateEnv.gw, d.token, spans(d.executionId, 1))).status).toBe(429);
  });
});

describe('the encodings carry the same spans', () => {
  it('a request encoded with encodeTraceRequest from the JSON shape is read as the JSON one', async () => {
    const span = otlpSpan({ executionId: a.executionId, name: 'both ways', attributes: { n: 42, ok: true, ratio: 0.5 } });
    const request = otlpRequest([span]);
    const response = await postProtobuf(env.gw, a.token, encodeTraceRequest(protobufShape(request) as Record<string, unknown>));
    expect(response.status).toBe(200);
    const row = await env.gw.db
      .selectFrom('spans')
      .select(['name', 'attributes', sql<string>`start_time_unix_nano::text`.as('start')])
      .where(sql`encode(span_id, 'hex')`, '=', String(span.spanId))
      .executeTakeFirstOrThrow();
    expect(row.name).toBe('both ways');
    expect(row.start).toBe(span.startTimeUnixNano);
    expect(row.attributes).toEqual({ 'gatehouse.execution.id': a.executionId, n: 42, ok: true, ratio: 0.5 });
  });
});
