import { context, trace, type Span, type Tracer } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deployNew } from '../support/automation-fixtures.js';
import { ingestTokenOf, run, tracesUrl } from '../support/execution-fixtures.js';
import { expectAllowed } from '../support/expect.js';
import { isolatedOrg, startClusterEnv, type ClusterEnv } from '../support/k8s-setup.js';
import { startRuntimeStub, type Kickoff, type RuntimeStub } from '../support/runtime-stub.js';

// Issue 4 "Traces in OpenTelemetry's own format": an automation runtime (a local HTTP server
// receiving the kickoff) reports its run with the real OpenTelemetry SDK and OTLP/HTTP exporter,
// configured as the deployment's Secret says; the spans show up under the right execution and
// automation, paginated in start-time order.
type ExportCallback = Parameters<SpanExporter['export']>[1];
type ExportResult = Parameters<ExportCallback>[0];

/** Passes every export through and keeps its result: the SDK otherwise only logs a failed export. */
class RecordingExporter implements SpanExporter {
  readonly results: ExportResult[] = [];
  constructor(private readonly inner: SpanExporter) {}
  export(spans: ReadableSpan[], done: ExportCallback): void {
    this.inner.export(spans, (result) => {
      this.results.push(result);
      done(result);
    });
  }
  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }
}

const LLM_CALLS = 25;
let runtime: RuntimeStub;
let env: ClusterEnv;
let org: Awaited<ReturnType<typeof isolatedOrg>>;
let automationId: string;
let provider: BasicTracerProvider;
let exporter: RecordingExporter;
const crews: Promise<void>[] = [];
const expectedTokens = new Map<string, { input: number; output: number }>();

/** What the automation does on a kickoff: a root span and one child span per LLM call, then flush. */
async function crew(tracer: Tracer, kickoff: Kickoff, calls: number): Promise<void> {
  const base = Date.now();
  const root = tracer.startSpan('crew.kickoff', {
    startTime: base,
    attributes: { 'gatehouse.execution.id': kickoff.executionId, 'crew.topic': String(kickoff.inputs.topic) },
  });
  const parent = trace.setSpan(context.active(), root);
  const totals = { input: 0, output: 0 };
  for (let i = 1; i <= calls; i++) {
    const input = 100 + i;
    const output = 10 * i;
    totals.input += input;
    totals.output += output;
    const span: Span = tracer.startSpan(
      `llm.chat ${i}`,
      {
        startTime: base + i * 10,
        attributes: {
          'gatehouse.execution.id': kickoff.executionId,
          'gen_ai.operation.name': 'chat',
          'gen_ai.request.model': 'gpt-4o-mini',
          'gen_ai.usage.input_tokens': input,
          'gen_ai.usage.output_tokens': output,
        },
      },
      parent,
    );
    if (i === 1) span.addEvent('tool.output', { 'tool.name': 'search', 'result.count': 3 }, base + i * 10 + 2);
    span.end(base + i * 10 + 5);
  }
  expectedTokens.set(kickoff.executionId, totals);
  root.setAttribute('gatehouse.execution.status', 'SUCCEEDED');
  root.end(base + (calls + 1) * 10);
  await provider.forceFlush();
}

beforeAll(async () => {
  runtime = await startRuntimeStub();
  env = await startClusterEnv('automatic', { RUNNER_URL_TEMPLATE: runtime.urlTemplate, INGEST_BASE_URL: 'http://gatehouse.crewai.svc.cluster.local:4000' });
  org = await isolatedOrg(env.gw);
  automationId = (await deployNew(env.gw, org.owner.token, org.organizationId, org.repo)).automationId;
  // The exporter as the pod would configure it from its Secret, with the address the test can reach.
  exporter = new RecordingExporter(
    new OTLPTraceExporter({ url: tracesUrl(env.gw), headers: { authorization: `Bearer ${ingestTokenOf(env, org.namespace, automationId)}` } }),
  );
  provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'crew-runtime', 'gatehouse.automation.id': automationId }),
    spanProcessors: [new BatchSpanProcessor(exporter, { maxExportBatchSize: 10, scheduledDelayMillis: 50 })],
  });
  const tracer = provider.getTracer('crew', '1.0.0');
  // The runtime answers the kickoff at once and runs the crew afterwards, as a real one would.
  runtime.onKickoff(async (kickoff) => {
    crews.push(crew(tracer, kickoff, kickoff.inputs.small === true ? 2 : LLM_CALLS));
  });
});
afterAll(async () => {
  await provider.shutdown();
  await env.close();
  await runtime.close();
});

interface SpanNode {
  spanId: string;
  parentSpanId: string | null;
  traceId: string;
  name: string;
  inputTokens: number | null;
  outputTokens: number | null;
  attributes: Record<string, unknown>;
  events: Array<{ name: string; attributes: Record<string, unknown> }>;
}
interface SpanPage {
  organization: {
    execution: {
      status: string;
      automation: { id: string };
      spans: { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string | null }; edges: Array<{ node: SpanNode }> };
    };
  };
}
const SPANS = `query($o: ID!, $id: ID!, $after: String) { organization(id: $o) { execution(id: $id) { status automation { id }
  spans(first: 10, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { node { spanId parentSpanId traceId name inputTokens outputTokens attributes events { name attributes } } } } } } }`;

async function allSpans(executionId: string): Promise<{ pages: number; nodes: SpanNode[]; last: SpanPage }> {
  const nodes: SpanNode[] = [];
  let after: string | null = null;
  for (let pages = 1; ; pages++) {
    const page: SpanPage = await expectAllowed<SpanPage>(env.gw, org.owner.token, SPANS, { o: String(org.organizationId), id: executionId, after });
    nodes.push(...page.organization.execution.spans.edges.map((e) => e.node));
    if (!page.organization.execution.spans.pageInfo.hasNextPage) return { pages, nodes, last: page };
    after = page.organization.execution.spans.pageInfo.endCursor;
  }
}

describe('spans exported by the OpenTelemetry SDK over OTLP/HTTP', () => {
  it("the deployment's Secret configures the exporter: traces endpoint and ingest token header", () => {
    const secret: unknown = env.stub.objects.secrets.get(`${org.namespace}/automation-${automationId}-env`);
    const data =
      typeof secret === 'object' && secret !== null && 'data' in secret && typeof secret.data === 'object' && secret.data !== null ? secret.data : {};
    const read = (key: string) => (key in data ? Buffer.from(String(Reflect.get(data, key)), 'base64').toString('utf8') : undefined);
    expect(read('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT')).toBe('http://gatehouse.crewai.svc.cluster.local:4000/v1/traces');
    expect(read('OTEL_EXPORTER_OTLP_HEADERS')).toBe(`authorization=Bearer ${read('GATEHOUSE_INGEST_TOKEN')}`);
  });

  it('are filed under their execution and automation, in start-time order across pages', async () => {
    const first = await run(env.gw, org.owner.token, automationId, { topic: 'otters' });
    const second = await run(env.gw, org.owner.token, automationId, { topic: 'beavers', small: true });
    await Promise.all(crews);
    expect(exporter.results.length).toBeGreaterThan(1);
    // ExportResultCode.SUCCESS is 0: every batch was accepted.
    expect(exporter.results.map((r) => r.code)).toEqual(exporter.results.map(() => 0));

    const { pages, nodes, last } = await allSpans(first.id);
    expect(pages).toBe(3);
    expect(last.organization.execution).toMatchObject({ status: 'SUCCEEDED', automation: { id: automationId } });
    expect(last.organization.execution.spans.totalCount).toBe(LLM_CALLS + 1);
    expect(nodes.map((n) => n.name)).toEqual(['crew.kickoff', ...Array.from({ length: LLM_CALLS }, (_, i) => `llm.chat ${i + 1}`)]);
    const [root, ...calls] = nodes;
    expect(root?.parentSpanId).toBeNull();
    expect(root?.attributes).toMatchObject({ 'crew.topic': 'otters', 'gatehouse.execution.status': 'SUCCEEDED' });
    expect(new Set(nodes.map((n) => n.traceId)).size).toBe(1);
    expect(calls.every((n) => n.parentSpanId === root?.spanId)).toBe(true);
    expect(calls.map((n) => [n.inputTokens, n.outputTokens])).toEqual(calls.map((_, i) => [101 + i, 10 * (i + 1)]));
    expect(calls[0]?.attributes).toMatchObject({ 'gen_ai.request.model': 'gpt-4o-mini', 'gen_ai.usage.input_tokens': 101 });
    expect(calls[0]?.events).toEqual([{ name: 'tool.output', attributes: { 'tool.name': 'search', 'result.count': 3 } }]);

    const other = await allSpans(second.id);
    expect(other.nodes.map((n) => n.name)).toEqual(['crew.kickoff', 'llm.chat 1', 'llm.chat 2']);
    const sum = (list: SpanNode[], key: 'inputTokens' | 'outputTokens') => list.reduce((total, n) => total + (n[key] ?? 0), 0);
    expect({ input: sum(nodes, 'inputTokens'), output: sum(nodes, 'outputTokens') }).toEqual(expectedTokens.get(first.id));
    expect({ input: sum(other.nodes, 'inputTokens'), output: sum(other.nodes, 'outputTokens') }).toEqual(expectedTokens.get(second.id));
  });

  it('the automation lists its executions oldest first; another automation lists none of them', async () => {
    const otherAutomation = (await deployNew(env.gw, org.owner.token, org.organizationId, org.repo)).automationId;
    const query =
      'query($o: ID!, $id: ID!) { organization(id: $o) { automation(id: $id) { executions(first: 1) { totalCount edges { node { id status inputs } } pageInfo { hasNextPage } } } } }';
    const mine = await expectAllowed<{
      organization: {
        automation: {
          executions: { totalCount: number; edges: Array<{ node: { inputs: { topic: string }; status: string } }>; pageInfo: { hasNextPage: boolean } };
        };
      };
    }>(env.gw, org.owner.token, query, { o: String(org.organizationId), id: automationId });
    expect(mine.organization.automation.executions).toMatchObject({ totalCount: 2, pageInfo: { hasNextPage: true } });
    expect(mine.organization.automation.executions.edges.map((e) => [e.node.inputs.topic, e.node.status])).toEqual([['otters', 'SUCCEEDED']]);
    const theirs = await expectAllowed<{ organization: { automation: { executions: { totalCount: number } } } }>(env.gw, org.owner.token, query, {
      o: String(org.organizationId),
      id: otherAutomation,
    });
    expect(theirs.organization.automation.executions.totalCount).toBe(0);
  });
});
