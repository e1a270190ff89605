/**
 * The spans of `npm run bench:ingest`: what a CrewAI-style automation runtime instrumented with
 * the OpenTelemetry JS SDK exports. The spans are made by the real SDK (BasicTracerProvider,
 * @opentelemetry/sdk-trace-base) and serialized by the OTLP serializers the SDK's own exporters
 * use (@opentelemetry/otlp-transformer, installed with @opentelemetry/exporter-trace-otlp-*), so
 * the bodies are byte for byte what OTLPTraceExporter sends for http/json and http/protobuf.
 *
 * A batch is built once per exporter; each request then gets fresh random trace and span ids
 * (parents follow their spans), patched into a copy of the body, so that every span of the run
 * is new to the gateway and is stored, never skipped as a retry.
 */
import crypto from 'node:crypto';
import { context, SpanKind, SpanStatusCode, trace, type Tracer } from '@opentelemetry/api';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { defaultResource, resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';

export type Encoding = 'protobuf' | 'json';

const MODELS = ['gpt-4o-mini', 'gpt-4o', 'claude-3-5-sonnet-20241022'] as const;
const AGENTS = [
  { role: 'Senior Research Analyst', task: 'research_market_trends', tools: ['SerperDevTool', 'ScrapeWebsiteTool'] },
  { role: 'Lead Qualification Specialist', task: 'qualify_inbound_leads', tools: ['CSVSearchTool', 'SerperDevTool'] },
  { role: 'Outreach Copywriter', task: 'draft_outreach_email', tools: ['FileReadTool', 'ScrapeWebsiteTool'] },
] as const;

function pick<T>(items: readonly T[], i: number): T {
  const item = items[i % items.length];
  if (item === undefined) throw new Error('empty list');
  return item;
}

/** One crew run: root, and per task a task span, an agent span, three LLM calls and two tool calls (22 spans). */
function crewRun(tracer: Tracer, executionId: string, run: number, startMs: number): number {
  let t = startMs;
  const crewId = crypto.randomUUID();
  const root = tracer.startSpan('Crew Execution', {
    kind: SpanKind.INTERNAL,
    startTime: t,
    attributes: {
      'gatehouse.execution.id': executionId,
      'crewai.crew.id': crewId,
      'crewai.crew.name': 'lead_outreach_crew',
      'crewai.crew.process': 'sequential',
      'crewai.crew.agent_count': AGENTS.length,
    },
  });
  const rootContext = trace.setSpan(context.active(), root);
  AGENTS.forEach((agent, a) => {
    const model = pick(MODELS, run + a);
    const task = tracer.startSpan(
      'Task Execution',
      {
        startTime: (t += 3),
        attributes: {
          'gatehouse.execution.id': executionId,
          'crewai.task.id': crypto.randomUUID(),
          'crewai.task.name': agent.task,
          'crewai.agent.role': agent.role,
          'crewai.crew.name': 'lead_outreach_crew',
        },
      },
      rootContext,
    );
    const taskContext = trace.setSpan(rootContext, task);
    const agentSpan = tracer.startSpan(
      'Agent.execute_task',
      {
        startTime: (t += 2),
        attributes: {
          'gatehouse.execution.id': executionId,
          'crewai.agent.id': crypto.randomUUID(),
          'crewai.agent.role': agent.role,
          'crewai.task.name': agent.task,
          'gen_ai.request.model': model,
          'crewai.agent.max_iter': 20,
        },
      },
      taskContext,
    );
    const agentContext = trace.setSpan(taskContext, agentSpan);
    for (let step = 0; step < 5; step++) {
      if (step % 2 === 0) {
        const input = 900 + ((run * 37 + a * 11 + step * 101) % 2400);
        const output = 80 + ((run * 13 + step * 29) % 600);
        const llm = tracer.startSpan(
          `chat ${model}`,
          {
            kind: SpanKind.CLIENT,
            startTime: (t += 5),
            attributes: {
              'gatehouse.execution.id': executionId,
              'gen_ai.operation.name': 'chat',
              'gen_ai.request.model': model,
              'gen_ai.response.model': `${model}-2024-07-18`,
              'gen_ai.response.id': `chatcmpl-${crypto.randomBytes(18).toString('base64url')}`,
              'gen_ai.usage.input_tokens': input,
              'gen_ai.usage.output_tokens': output,
              'crewai.agent.role': agent.role,
            },
          },
          agentContext,
        );
        // Now and then a runtime logs on a span: a retried call to the model.
        if ((run + a + step) % 9 === 0) {
          llm.addEvent('gen_ai.retry', { 'retry.attempt': 1, 'http.response.status_code': 429, 'retry.after_ms': 1200 }, t + 1);
        }
        llm.end((t += 400 + (input % 900)));
      } else {
        const tool = pick(agent.tools, step + run);
        const span = tracer.startSpan(
          `execute_tool ${tool}`,
          {
            kind: SpanKind.INTERNAL,
            startTime: (t += 2),
            attributes: {
              'gatehouse.execution.id': executionId,
              'gen_ai.operation.name': 'execute_tool',
              'gen_ai.tool.name': tool,
              'gen_ai.tool.call.id': `call_${crypto.randomBytes(18).toString('base64url')}`,
              'crewai.agent.role': agent.role,
            },
          },
          agentContext,
        );
        if ((run + a + step) % 13 === 0) {
          const message = "HTTPSConnectionPool(host='google.serper.dev', port=443): Read timed out. (read timeout=10)";
          span.addEvent('exception', { 'exception.type': 'requests.exceptions.ReadTimeout', 'exception.message': message }, t + 1);
          span.setStatus({ code: SpanStatusCode.ERROR, message });
        }
        span.end((t += 150 + ((run * 7 + step) % 300)));
      }
    }
    agentSpan.end((t += 2));
    task.setStatus({ code: SpanStatusCode.OK });
    task.end((t += 1));
  });
  root.end((t += 5));
  return t;
}

/** A deployed runtime's resource, as the SDK's default resource and host/process detectors describe a pod. */
function runtimeResource(automationId: string) {
  return defaultResource().merge(
    resourceFromAttributes({
      'service.name': 'crew-runtime',
      'service.version': '1.4.2',
      'service.instance.id': crypto.randomUUID(),
      'gatehouse.automation.id': automationId,
      'host.name': `automation-${automationId.slice(0, 8)}-6f9c7d5b8-x2k4q`,
      'host.arch': 'amd64',
      'host.id': crypto.randomBytes(16).toString('hex'),
      'os.type': 'linux',
      'process.pid': 1,
      'process.executable.name': 'node',
      'process.executable.path': '/usr/local/bin/node',
      'process.command_args': ['/usr/local/bin/node', '--enable-source-maps', '/app/dist/main.js'],
      'process.runtime.name': 'nodejs',
      'process.runtime.version': '20.19.2',
      'process.runtime.description': 'Node.js',
      'process.owner': 'node',
    }),
  );
}

/** `count` spans (whole crew runs, the last one cut) as the SDK hands them to its exporter. */
export function crewSpans(automationId: string, executionId: string, count: number): ReadableSpan[] {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ resource: runtimeResource(automationId), spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const tracer = provider.getTracer('crewai.telemetry', '0.121.0');
  let t = Date.now() - 3_600_000;
  for (let run = 0; exporter.getFinishedSpans().length < count; run++) t = crewRun(tracer, executionId, run, t + 50);
  // The BatchSpanProcessor exports spans in the order they end, at most maxExportBatchSize at once.
  return exporter.getFinishedSpans().slice(0, count);
}

/** A request body whose ids are replaced by fresh random ones at each `next()`. */
export class BodyTemplate {
  readonly bytes: Buffer;
  /** Per id of the template (16 bytes for a trace, 8 for a span): where it occurs in the body. */
  private readonly ids: Array<{ length: 16 | 8; offsets: number[] }> = [];
  private readonly idBytes: number;

  constructor(
    readonly encoding: Encoding,
    spans: ReadableSpan[],
  ) {
    const serializer = encoding === 'json' ? JsonTraceSerializer : ProtobufTraceSerializer;
    const body = serializer.serializeRequest(spans);
    if (!body) throw new Error('the OTLP serializer produced no body');
    this.bytes = Buffer.from(body);
    const traceIds = new Set(spans.map((s) => s.spanContext().traceId));
    const spanIds = new Set(spans.map((s) => s.spanContext().spanId));
    for (const [hex, length] of [...[...traceIds].map((h) => [h, 16] as const), ...[...spanIds].map((h) => [h, 8] as const)]) {
      // JSON carries ids as hex strings (in quotes), protobuf as raw bytes.
      const needle = encoding === 'json' ? Buffer.from(`"${hex}"`, 'latin1') : Buffer.from(hex, 'hex');
      const shift = encoding === 'json' ? 1 : 0;
      const offsets: number[] = [];
      for (let at = this.bytes.indexOf(needle); at >= 0; at = this.bytes.indexOf(needle, at + needle.length)) offsets.push(at + shift);
      if (offsets.length === 0) throw new Error(`id ${hex} not found in the ${encoding} body`);
      this.ids.push({ length, offsets });
    }
    this.idBytes = this.ids.reduce((sum, id) => sum + id.length, 0);
  }

  /** A copy of the body with new random ids, consistent across spans and their parents. */
  next(): Buffer {
    const out = Buffer.from(this.bytes);
    const random = crypto.randomBytes(this.idBytes);
    let r = 0;
    for (const { length, offsets } of this.ids) {
      const id = random.subarray(r, (r += length));
      if (this.encoding === 'json') {
        const hex = id.toString('hex');
        for (const at of offsets) out.write(hex, at, 'latin1');
      } else {
        for (const at of offsets) id.copy(out, at);
      }
    }
    return out;
  }
}
