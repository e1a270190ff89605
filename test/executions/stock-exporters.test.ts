import { execFile } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { CoreV1Api } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeTraceRequest, decodeTraceResponse } from '../../src/ingest/otlp-proto.js';
import { deployNew } from '../support/automation-fixtures.js';
import { run } from '../support/execution-fixtures.js';
import { expectAllowed } from '../support/expect.js';
import { isolatedOrg, startClusterEnv, type ClusterEnv } from '../support/k8s-setup.js';
import { startRuntimeStub, type RuntimeStub } from '../support/runtime-stub.js';

// Issue 10, "Done when: both stock exporters succeed from the Secret's environment alone" and
// "spans round-trip with resource, scope, links, events and nanosecond times". A child process
// (test/support/stock-otel-runtime.mjs) whose environment is the deployed Secret's data and
// nothing else (which asks for gzip too), records a trace with the stock
// SDK and exports it with the stock OTLP/HTTP exporter, constructed without options: once with
// exporter-trace-otlp-proto, once with exporter-trace-otlp-http (JSON). Every field the child
// recorded is then read back through GraphQL.
//
// INGEST_BASE_URL must be known before the gateway starts, and the gateway's port only after:
// INGEST_BASE_URL is a recording proxy in front of the gateway, which also shows what the
// exporters really sent (content type, gzip) and what the gateway answered.

const RUNTIME = path.join(path.dirname(fileURLToPath(import.meta.url)), '../support/stock-otel-runtime.mjs');
const execFileAsync = promisify(execFile);

interface Received {
  method: string;
  path: string;
  contentType: string | undefined;
  contentEncoding: string | undefined;
  body: Buffer;
  status: number;
  response: Buffer;
}

interface RecordingProxy {
  url: string;
  target: string | null;
  received: Received[];
  close(): Promise<void>;
}

/** Forwards every request to `target` as it came, and keeps a copy of it and of the answer. */
async function startRecordingProxy(): Promise<RecordingProxy> {
  const received: Received[] = [];
  const proxy: RecordingProxy = { url: '', target: null, received, close: async () => {} };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const upstream = http.request(new URL(req.url ?? '/', proxy.target ?? 'http://127.0.0.1:1'), { method: req.method, headers: req.headers }, (answer) => {
        const answerChunks: Buffer[] = [];
        answer.on('data', (chunk: Buffer) => answerChunks.push(chunk));
        answer.on('end', () => {
          const response = Buffer.concat(answerChunks);
          received.push({
            method: req.method ?? '',
            path: req.url ?? '',
            contentType: req.headers['content-type'],
            contentEncoding: req.headers['content-encoding'],
            body,
            status: answer.statusCode ?? 0,
            response,
          });
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          res.end(response);
        });
      });
      upstream.on('error', (error) => {
        res.writeHead(502, { 'content-type': 'text/plain' });
        res.end(String(error));
      });
      upstream.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  proxy.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  proxy.close = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  return proxy;
}

type HrTime = [number, number];
interface RecordedSpan {
  traceId: string;
  spanId: string;
  traceState: string | null;
  traceFlags: number;
  parentSpanId: string | null;
  parentIsRemote: boolean;
  name: string;
  kind: number;
  startTime: HrTime;
  endTime: HrTime;
  status: { code: number; message?: string };
  attributes: Record<string, unknown>;
  droppedAttributesCount: number;
  events: Array<{ name: string; time: HrTime; attributes: Record<string, unknown>; droppedAttributesCount: number }>;
  droppedEventsCount: number;
  links: Array<{
    traceId: string;
    spanId: string;
    traceState: string | null;
    traceFlags: number;
    isRemote: boolean;
    attributes: Record<string, unknown>;
    droppedAttributesCount: number;
  }>;
  droppedLinksCount: number;
  resource: { attributes: Record<string, unknown>; schemaUrl: string | null };
  scope: { name: string; version: string | null; schemaUrl: string | null };
}
interface RuntimeOutput {
  results: Array<{ code: number; error: string | null }>;
  spans: RecordedSpan[];
}

const nanos = ([seconds, ns]: HrTime) => (BigInt(seconds) * 1_000_000_000n + BigInt(ns)).toString();
const isoOf = (unixNano: string) => new Date(Number(BigInt(unixNano) / 1_000_000n)).toISOString();
// OTLP Span.flags and Span.Link.flags: W3C trace flags in bits 0-7, bit 8 "is-remote is known", bit 9 "is remote".
const otlpFlags = (traceFlags: number, isRemote: boolean) => (traceFlags & 0xff) | 0x100 | (isRemote ? 0x200 : 0);
// @opentelemetry/api's SpanKind starts at INTERNAL = 0; OTLP's (and the API's enum) at UNSPECIFIED = 0.
const KINDS = ['INTERNAL', 'SERVER', 'CLIENT', 'PRODUCER', 'CONSUMER'];
const STATUS = ['UNSET', 'OK', 'ERROR'];
const tokenCount = (value: unknown) => (typeof value === 'number' ? value : null);

/** A recorded span as Execution.spans should answer it. */
function expected(span: RecordedSpan): Record<string, unknown> {
  const start = nanos(span.startTime);
  const end = nanos(span.endTime);
  return {
    traceId: span.traceId,
    spanId: span.spanId,
    parentSpanId: span.parentSpanId,
    traceState: span.traceState || null,
    flags: otlpFlags(span.traceFlags, span.parentIsRemote),
    name: span.name,
    kind: KINDS[span.kind],
    startTime: isoOf(start),
    endTime: isoOf(end),
    startTimeUnixNano: start,
    endTimeUnixNano: end,
    statusCode: STATUS[span.status.code],
    statusMessage: span.status.message || null,
    attributes: span.attributes,
    droppedAttributesCount: span.droppedAttributesCount,
    events: span.events.map((e) => ({
      name: e.name,
      time: isoOf(nanos(e.time)),
      timeUnixNano: nanos(e.time),
      attributes: e.attributes,
      droppedAttributesCount: e.droppedAttributesCount,
    })),
    droppedEventsCount: span.droppedEventsCount,
    links: span.links.map((l) => ({
      traceId: l.traceId,
      spanId: l.spanId,
      traceState: l.traceState || null,
      flags: otlpFlags(l.traceFlags, l.isRemote),
      attributes: l.attributes,
      droppedAttributesCount: l.droppedAttributesCount,
    })),
    droppedLinksCount: span.droppedLinksCount,
    resource: { attributes: span.resource.attributes, droppedAttributesCount: 0, schemaUrl: span.resource.schemaUrl },
    scope: { name: span.scope.name, version: span.scope.version, attributes: {}, droppedAttributesCount: 0, schemaUrl: span.scope.schemaUrl },
    inputTokens: tokenCount(span.attributes['gen_ai.usage.input_tokens']),
    outputTokens: tokenCount(span.attributes['gen_ai.usage.output_tokens']),
  };
}

const SPANS = `query($o: ID!, $id: ID!) { organization(id: $o) { execution(id: $id) { status finishedAt
  spans(first: 35) { totalCount edges { node {
    traceId spanId parentSpanId traceState flags name kind startTime endTime startTimeUnixNano endTimeUnixNano
    statusCode statusMessage attributes droppedAttributesCount
    events { name time timeUnixNano attributes droppedAttributesCount } droppedEventsCount
    links { traceId spanId traceState flags attributes droppedAttributesCount } droppedLinksCount
    resource { attributes droppedAttributesCount schemaUrl } scope { name version attributes droppedAttributesCount schemaUrl }
    inputTokens outputTokens
  } } } } } }`;
interface SpansAnswer {
  organization: { execution: { status: string; finishedAt: string | null; spans: { totalCount: number; edges: Array<{ node: Record<string, unknown> }> } } };
}

let runtime: RuntimeStub;
let proxy: RecordingProxy;
let env: ClusterEnv;
let org: Awaited<ReturnType<typeof isolatedOrg>>;
let automationId: string;
/** The deployed Secret's data, decoded as `kubectl get secret -o json` shows it and a pod's envFrom reads it. */
let secretEnv: Record<string, string>;

beforeAll(async () => {
  runtime = await startRuntimeStub();
  proxy = await startRecordingProxy();
  env = await startClusterEnv('automatic', { RUNNER_URL_TEMPLATE: runtime.urlTemplate, INGEST_BASE_URL: proxy.url });
  proxy.target = new URL(env.gw.url).origin;
  org = await isolatedOrg(env.gw);
  automationId = (await deployNew(env.gw, org.owner.token, org.organizationId, org.repo)).automationId;
  // Read over the Kubernetes API, as kubectl does: data values are base64.
  const secret = await env.stub
    .kubeConfig()
    .makeApiClient(CoreV1Api)
    .readNamespacedSecret({ namespace: org.namespace, name: `automation-${automationId}-env` });
  secretEnv = Object.fromEntries(Object.entries(secret.data ?? {}).map(([key, value]) => [key, Buffer.from(value, 'base64').toString('utf8')]));
});
afterAll(async () => {
  await env.close();
  await proxy.close();
  await runtime.close();
});

/** Runs the child with the Secret's environment only; its stdout's JSON. */
async function runStockRuntime(flavour: 'proto' | 'http', executionId: string): Promise<RuntimeOutput> {
  const { stdout } = await execFileAsync(process.execPath, [RUNTIME, flavour, executionId], { env: secretEnv, timeout: 20_000 });
  const last = stdout.trim().split('\n').at(-1) ?? '';
  return JSON.parse(last) as RuntimeOutput;
}

describe("stock OpenTelemetry exporters configured by the deployment's Secret alone", () => {
  it('the Secret points the exporter at the gateway, over http/protobuf, with the ingest token', () => {
    expect(secretEnv).toMatchObject({
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${proxy.url}/v1/traces`,
      OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/protobuf',
      OTEL_EXPORTER_OTLP_HEADERS: `authorization=Bearer ${secretEnv.GATEHOUSE_INGEST_TOKEN}`,
    });
    expect(secretEnv.OTEL_EXPORTER_OTLP_TRACES_COMPRESSION).toBe('gzip');
  });

  it.each([
    ['proto', '@opentelemetry/exporter-trace-otlp-proto', 'application/x-protobuf'],
    ['http', '@opentelemetry/exporter-trace-otlp-http', 'application/json'],
  ] as const)('%s (%s): every export succeeds, gzipped %s, and the spans read back field by field', async (flavour, _pkg, contentType) => {
    const execution = await run(env.gw, org.owner.token, automationId, { topic: flavour });
    expect(execution.status).toBe('RUNNING');
    const before = proxy.received.length;

    const output = await runStockRuntime(flavour, execution.id);
    expect(output.results.length).toBeGreaterThan(0);
    // ExportResultCode.SUCCESS is 0.
    expect(output.results).toEqual(output.results.map(() => ({ code: 0, error: null })));
    expect(output.spans.map((s) => s.name).sort()).toEqual(['crew.kickoff', 'llm.chat', 'queue.consume', 'queue.publish', 'tool.search']);

    // What went over the wire: the exporter's encoding, gzipped, accepted whole (no partial success).
    const sent = proxy.received.slice(before);
    expect(sent.length).toBe(output.results.length);
    let spansSent = 0;
    for (const request of sent) {
      expect(request).toMatchObject({ method: 'POST', path: '/v1/traces', contentType, contentEncoding: 'gzip', status: 200 });
      expect([...request.body.subarray(0, 2)]).toEqual([0x1f, 0x8b]);
      const plain = zlib.gunzipSync(request.body);
      const body = (flavour === 'proto' ? decodeTraceRequest(plain) : JSON.parse(plain.toString('utf8'))) as {
        resourceSpans: Array<{ scopeSpans: Array<{ spans: unknown[] }> }>;
      };
      spansSent += body.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans)).length;
      expect(flavour === 'proto' ? decodeTraceResponse(request.response) : JSON.parse(request.response.toString('utf8'))).toEqual({});
    }
    expect(spansSent).toBe(output.spans.length);

    const answer = await expectAllowed<SpansAnswer>(env.gw, org.owner.token, SPANS, { o: String(org.organizationId), id: execution.id });
    const stored = answer.organization.execution;
    const byStart = [...output.spans].sort((a, b) => (BigInt(nanos(a.startTime)) < BigInt(nanos(b.startTime)) ? -1 : 1));
    expect(stored.spans.totalCount).toBe(output.spans.length);
    expect(stored.spans.edges.map((e) => e.node)).toEqual(byStart.map(expected));

    // The root span with gatehouse.execution.status completed the run, at its end time.
    const root = output.spans.find((s) => s.parentSpanId === null);
    expect(stored.status).toBe('SUCCEEDED');
    expect(stored.finishedAt).toBe(root && isoOf(nanos(root.endTime)));

    // What the comparison above covers, spelled out, so that it cannot pass on empty data.
    const node = (name: string) => stored.spans.edges.map((e) => e.node).find((n) => n.name === name) ?? {};
    expect(stored.spans.edges.map((e) => e.node.kind).sort()).toEqual(['CLIENT', 'CONSUMER', 'INTERNAL', 'PRODUCER', 'SERVER']);
    for (const { node: n } of stored.spans.edges) {
      // Nanosecond precision: a millisecond clock would leave these digits zero.
      expect(BigInt(String(n.startTimeUnixNano)) % 1_000_000n).not.toBe(0n);
      expect(n.resource).toEqual({
        attributes: {
          'service.name': 'crew-runtime',
          'service.version': '2.0.1',
          'deployment.environment.name': 'ci',
          'host.cpu.count': 2,
          'gatehouse.execution.id': execution.id,
        },
        droppedAttributesCount: 0,
        schemaUrl: 'https://opentelemetry.io/schemas/1.30.0',
      });
      expect(n.scope).toEqual({
        name: 'crew.runtime',
        version: '2.0.1',
        attributes: {},
        droppedAttributesCount: 0,
        schemaUrl: 'https://opentelemetry.io/schemas/1.28.0',
      });
    }
    expect(node('crew.kickoff')).toMatchObject({
      parentSpanId: null,
      flags: 0x101,
      statusCode: 'OK',
      attributes: { 'crew.agents': ['researcher', 'writer'], 'gatehouse.execution.status': 'SUCCEEDED' },
    });
    expect(node('llm.chat')).toMatchObject({
      inputTokens: 321,
      outputTokens: 45,
      attributes: { 'gen_ai.request.temperature': 0.25, 'llm.streamed': false },
      events: [
        { name: 'gen_ai.content.prompt', attributes: { 'gen_ai.prompt': 'Summarise what otters eat', 'prompt.tokens': 321 } },
        { name: 'gen_ai.content.completion', attributes: { 'gen_ai.completion': 'Fish, mostly.', 'completion.cached': true } },
      ],
    });
    expect(node('tool.search')).toMatchObject({
      statusCode: 'ERROR',
      statusMessage: 'search backend answered 503',
      links: [{ spanId: node('llm.chat').spanId, traceState: null, flags: 0x101, attributes: { 'link.reason': 'uses the completion', 'link.rank': 1 } }],
      events: [{ name: 'retry', attributes: { 'retry.attempt': 2, 'retry.delay_ms': 12.5 } }],
    });
    expect(node('queue.publish')).toMatchObject({
      links: [
        {
          traceId: '5b8efff798038103d269b633813fc60c',
          spanId: 'eee19b7ec3c1b174',
          traceState: 'vendor=abc,other=1',
          flags: 0x301,
          attributes: { 'link.note': 'upstream request' },
        },
      ],
    });
    expect(node('queue.consume')).toMatchObject({
      parentSpanId: node('queue.publish').spanId,
      traceState: 'gatehouse=consume,vendor=abc',
      flags: 0x301,
      events: [{ name: 'message.ack', attributes: {} }],
    });
  });
});
