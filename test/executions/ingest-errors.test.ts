import crypto from 'node:crypto';
import zlib from 'node:zlib';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deployNew } from '../support/automation-fixtures.js';
import { hex, ingestTokenOf, otlpRequest, otlpSpan, postTraces, run, spanCount, tracesUrl } from '../support/execution-fixtures.js';
import { expectAllowed } from '../support/expect.js';
import { isolatedOrg, startClusterEnv, type ClusterEnv } from '../support/k8s-setup.js';
import { startRuntimeStub, type RuntimeStub } from '../support/runtime-stub.js';

// Issue 4: malformed or oversized payloads get a clear 4xx and store nothing partial; only a
// deployment's ingest token may report, and only for its own automation's executions.
const LIMIT = 65_536;
let runtime: RuntimeStub;
let env: ClusterEnv;
let org: Awaited<ReturnType<typeof isolatedOrg>>;
const a = { automationId: '', token: '', executionId: '' };
const b = { automationId: '', token: '', executionId: '' };

beforeAll(async () => {
  runtime = await startRuntimeStub();
  env = await startClusterEnv('automatic', { RUNNER_URL_TEMPLATE: runtime.urlTemplate, OTLP_MAX_BYTES: String(LIMIT) });
  org = await isolatedOrg(env.gw);
  for (const side of [a, b]) {
    side.automationId = (await deployNew(env.gw, org.owner.token, org.organizationId, org.repo)).automationId;
    side.token = ingestTokenOf(env, org.namespace, side.automationId);
    side.executionId = (await run(env.gw, org.owner.token, side.automationId)).id;
  }
});
afterAll(async () => {
  await env.close();
  await runtime.close();
});

const valid = () => otlpRequest([otlpSpan({ executionId: a.executionId })]);

describe('authentication', () => {
  it.each([
    ['no Authorization header', () => undefined],
    ['a well-formed token that was never issued', () => `ghi_${crypto.randomBytes(32).toString('base64url')}`],
    ['a user\'s API token', () => org.owner.token],
  ])('%s is 401, and nothing is stored', async (_what, token) => {
    const before = await spanCount(env.gw, a.executionId);
    const response = await postTraces(env.gw, token(), valid());
    expect(response.status).toBe(401);
    expect(response.body.message).toContain('ingest token');
    expect(await spanCount(env.gw, a.executionId)).toBe(before);
  });

  it('a deleted automation\'s token stops working', async () => {
    const gone = (await deployNew(env.gw, org.owner.token, org.organizationId, org.repo)).automationId;
    const token = ingestTokenOf(env, org.namespace, gone);
    const execution = await run(env.gw, org.owner.token, gone);
    expect((await postTraces(env.gw, token, otlpRequest([otlpSpan({ executionId: execution.id })]))).status).toBe(200);
    await expectAllowed(env.gw, org.owner.token, 'mutation($id: ID!) { deleteAutomation(id: $id) { id } }', { id: gone });
    expect((await postTraces(env.gw, token, otlpRequest([otlpSpan({ executionId: execution.id })]))).status).toBe(401);
  });
});

describe('what is sent', () => {
  it('anything but POST is 405', async () => {
    const response = await fetch(tracesUrl(env.gw), { headers: { authorization: `Bearer ${a.token}` } });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('POST');
  });

  it('protobuf is 415 with how to switch the exporter to JSON', async () => {
    const response = await postTraces(env.gw, a.token, new Uint8Array([0x0a, 0x00]), { 'content-type': 'application/x-protobuf' });
    expect(response.status).toBe(415);
    expect(response.body.message).toContain('OTEL_EXPORTER_OTLP_TRACES_PROTOCOL=http/json');
  });

  it('a body over OTLP_MAX_BYTES is 413, compressed or not, and nothing is stored', async () => {
    const before = await spanCount(env.gw, a.executionId);
    const padding = 'x'.repeat(LIMIT);
    const big = otlpRequest([otlpSpan({ executionId: a.executionId, attributes: { padding } })]);
    const plain = await postTraces(env.gw, a.token, big);
    expect(plain.status).toBe(413);
    expect(plain.body.message).toContain('OTLP_MAX_BYTES');
    // Small on the wire, over the limit once inflated.
    const gzipped = zlib.gzipSync(JSON.stringify(big));
    expect(gzipped.length).toBeLessThan(LIMIT);
    expect((await postTraces(env.gw, a.token, gzipped, { 'content-encoding': 'gzip' })).status).toBe(413);
    expect(await spanCount(env.gw, a.executionId)).toBe(before);
  });

  it('a gzipped export within the limit is accepted', async () => {
    const before = await spanCount(env.gw, a.executionId);
    const response = await postTraces(env.gw, a.token, zlib.gzipSync(JSON.stringify(valid())), { 'content-encoding': 'gzip' });
    expect(response).toEqual({ status: 200, body: { partialSuccess: {} } });
    expect(await spanCount(env.gw, a.executionId)).toBe(before + 1);
  });

  it('malformed JSON is 400 saying so', async () => {
    const response = await postTraces(env.gw, a.token, '{"resourceSpans": [');
    expect(response.status).toBe(400);
    expect(response.body.message).toContain('not valid JSON');
  });

  const withSpan = (change: (span: Record<string, unknown>) => void) => () => {
    const span = otlpSpan({ executionId: a.executionId });
    change(span);
    return otlpRequest([otlpSpan({ executionId: a.executionId }), span]);
  };
  const SPAN = 'resourceSpans[0].scopeSpans[0].spans[1]';
  it.each([
    ['a body that is not an object', () => [1, 2], 'The request body must be a JSON object'],
    ['resourceSpans that is not a list', () => ({ resourceSpans: {} }), 'resourceSpans must be a list'],
    ['a base64 trace id', withSpan((s) => (s.traceId = Buffer.from(hex(16), 'hex').toString('base64'))), `${SPAN}.traceId must be 32 hex characters`],
    ['a short span id', withSpan((s) => (s.spanId = 'abc')), `${SPAN}.spanId must be 16 hex characters`],
    ['a missing start time', withSpan((s) => delete s.startTimeUnixNano), `${SPAN}.startTimeUnixNano must be a time`],
    ['an end before the start', withSpan((s) => (s.endTimeUnixNano = '1000000')), `${SPAN}.endTimeUnixNano is before startTimeUnixNano`],
    ['an unknown span kind', withSpan((s) => (s.kind = 9)), `${SPAN}.kind must be one of`],
    ['attributes that are not a list', withSpan((s) => (s.attributes = { 'gatehouse.execution.id': a.executionId })), `${SPAN}.attributes must be a list`],
    ['an AnyValue with two values', withSpan((s) => (s.attributes = [{ key: 'x', value: { stringValue: 'a', intValue: '1' } }])), `${SPAN}.attributes[0].value must hold one value`],
    ['no execution id', withSpan((s) => (s.attributes = [])), `${SPAN} has no "gatehouse.execution.id" attribute`],
    ['an execution id that is not a UUID', withSpan((s) => (s.attributes = [{ key: 'gatehouse.execution.id', value: { stringValue: 'run-1' } }])), 'must be the executionId of the kickoff'],
    ['negative tokens', withSpan((s) => (s.attributes = [{ key: 'gatehouse.execution.id', value: { stringValue: a.executionId } }, { key: 'gen_ai.usage.input_tokens', value: { intValue: '-3' } }])), `${SPAN}.attributes["gen_ai.usage.input_tokens"] must be a whole number`],
    ['an unknown execution status', withSpan((s) => (s.attributes = [{ key: 'gatehouse.execution.id', value: { stringValue: a.executionId } }, { key: 'gatehouse.execution.status', value: { stringValue: 'DONE' } }])), 'must be SUCCEEDED or FAILED'],
  ])('%s is 400 naming what is wrong, and the valid spans beside it are not stored either', async (_what, body, message) => {
    const before = await spanCount(env.gw, a.executionId);
    const response = await postTraces(env.gw, a.token, body());
    expect(response.status).toBe(400);
    expect(response.body.message).toContain(message);
    expect(response.body.message).toContain('Nothing of this request was stored');
    expect(await spanCount(env.gw, a.executionId)).toBe(before);
  });
});

describe('filing', () => {
  it('a span naming another automation\'s execution rejects the whole request: 400, nothing stored', async () => {
    const before = { a: await spanCount(env.gw, a.executionId), b: await spanCount(env.gw, b.executionId) };
    const response = await postTraces(env.gw, a.token, otlpRequest([otlpSpan({ executionId: a.executionId }), otlpSpan({ executionId: b.executionId })]));
    expect(response.status).toBe(400);
    expect(response.body.message).toContain(`names ${b.executionId}, which is not an execution of this automation`);
    expect({ a: await spanCount(env.gw, a.executionId), b: await spanCount(env.gw, b.executionId) }).toEqual(before);
  });

  it('an execution id that does not exist is refused with the same message', async () => {
    const missing = '00000000-0000-4000-8000-000000000000';
    const response = await postTraces(env.gw, a.token, otlpRequest([otlpSpan({ executionId: missing })]));
    expect(response.status).toBe(400);
    expect(response.body.message).toContain(`names ${missing}, which is not an execution of this automation`);
  });

  it('a re-sent batch is stored once', async () => {
    const before = await spanCount(env.gw, a.executionId);
    const batch = otlpRequest([otlpSpan({ executionId: a.executionId, name: 'retry me' }), otlpSpan({ executionId: a.executionId, name: 'and me' })]);
    expect((await postTraces(env.gw, a.token, batch)).status).toBe(200);
    expect((await postTraces(env.gw, a.token, batch)).status).toBe(200);
    expect(await spanCount(env.gw, a.executionId)).toBe(before + 2);
  });

  it('the execution id may sit on the resource instead of the span; NUL in text is stored as U+FFFD', async () => {
    const span = otlpSpan({ name: 'bad\u0000byte' });
    const body = { resourceSpans: [{ resource: { attributes: [{ key: 'gatehouse.execution.id', value: { stringValue: a.executionId } }] }, scopeSpans: [{ spans: [span] }] }] };
    expect((await postTraces(env.gw, a.token, body)).status).toBe(200);
    const row = await env.gw.db.selectFrom('spans').select('name').where(sql`encode(span_id, 'hex')`, '=', String(span.spanId)).executeTakeFirstOrThrow();
    expect(row.name).toBe('bad\uFFFDbyte');
  });
});
