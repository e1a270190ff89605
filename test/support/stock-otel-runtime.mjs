// An automation runtime reduced to its telemetry: the stock OpenTelemetry SDK and OTLP/HTTP exporter,
// configured by nothing but the process environment (the deployment's Secret). Used by
// test/executions/stock-exporters.test.ts, which starts it with that environment only.
//
//   node stock-otel-runtime.mjs <proto|http> <executionId>
//
// proto: @opentelemetry/exporter-trace-otlp-proto (application/x-protobuf)
// http:  @opentelemetry/exporter-trace-otlp-http (application/json)
//
// The exporter is constructed with no options at all: the endpoint, the headers (ingest token) and
// the compression come from OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, OTEL_EXPORTER_OTLP_HEADERS and
// OTEL_EXPORTER_OTLP_TRACES_COMPRESSION; the batch size and span limits from OTEL_BSP_* and
// OTEL_*_LIMIT, read by the SDK. The executionId of the kickoff is an argument (a runtime receives
// it in the kickoff, not in its environment) and becomes the resource attribute
// gatehouse.execution.id. Prints one line of JSON on stdout: { results, spans }, where results are
// the export results ({ code, error }) and spans what was handed to the exporter, as recorded.
import { context, createTraceState, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, TraceFlags } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';

const [flavour, executionId] = process.argv.slice(2);
if ((flavour !== 'proto' && flavour !== 'http') || !executionId) {
  process.stderr.write('usage: node stock-otel-runtime.mjs <proto|http> <executionId>\n');
  process.exit(2);
}
const { OTLPTraceExporter } = await import(flavour === 'proto' ? '@opentelemetry/exporter-trace-otlp-proto' : '@opentelemetry/exporter-trace-otlp-http');

const results = [];
const exported = [];
const stock = new OTLPTraceExporter();
/** The stock exporter, passed through: its results are kept (the SDK would only log a failure). */
const exporter = {
  export(spans, done) {
    exported.push(...spans);
    stock.export(spans, (result) => {
      results.push({ code: result.code, error: result.error ? String(result.error.stack ?? result.error) : null });
      done(result);
    });
  },
  forceFlush: () => stock.forceFlush(),
  shutdown: () => stock.shutdown(),
};

const provider = new BasicTracerProvider({
  resource: resourceFromAttributes(
    {
      'service.name': 'crew-runtime',
      'service.version': '2.0.1',
      'deployment.environment.name': 'ci',
      'host.cpu.count': 2,
      'gatehouse.execution.id': executionId,
    },
    { schemaUrl: 'https://opentelemetry.io/schemas/1.30.0' },
  ),
  spanProcessors: [new BatchSpanProcessor(exporter)],
});
// @opentelemetry/api 1.9 takes a scope's name, version and schema URL; it has no scope attributes.
const tracer = provider.getTracer('crew.runtime', '2.0.1', { schemaUrl: 'https://opentelemetry.io/schemas/1.28.0' });

// Times as HrTime [seconds, nanoseconds], with sub-millisecond digits that a millisecond clock would lose.
const base = Math.floor(Date.now() / 1000) - 5;
const at = (ms, nanos) => {
  const total = ms * 1_000_000 + nanos;
  return [base + Math.floor(total / 1e9), total % 1e9];
};

const root = tracer.startSpan('crew.kickoff', {
  kind: SpanKind.SERVER,
  startTime: at(0, 456_789),
  attributes: { 'crew.topic': 'otters', 'crew.agents': ['researcher', 'writer'] },
});
const inRoot = trace.setSpan(context.active(), root);

const llm = tracer.startSpan(
  'llm.chat',
  {
    kind: SpanKind.CLIENT,
    startTime: at(10, 250_001),
    attributes: {
      'gen_ai.operation.name': 'chat',
      'gen_ai.request.model': 'gpt-4o-mini',
      'gen_ai.request.temperature': 0.25,
      'gen_ai.usage.input_tokens': 321,
      'gen_ai.usage.output_tokens': 45,
      'gen_ai.response.finish_reasons': ['stop'],
      'llm.streamed': false,
    },
  },
  inRoot,
);
llm.addEvent('gen_ai.content.prompt', { 'gen_ai.prompt': 'Summarise what otters eat', 'prompt.tokens': 321 }, at(11, 7));
llm.addEvent('gen_ai.content.completion', { 'gen_ai.completion': 'Fish, mostly.', 'completion.cached': true }, at(19, 999_999));
llm.end(at(20, 1));

const tool = tracer.startSpan(
  'tool.search',
  {
    kind: SpanKind.INTERNAL,
    startTime: at(21, 500_500),
    links: [{ context: llm.spanContext(), attributes: { 'link.reason': 'uses the completion', 'link.rank': 1 } }],
  },
  inRoot,
);
tool.addEvent('retry', { 'retry.attempt': 2, 'retry.delay_ms': 12.5 }, at(22, 42));
tool.setStatus({ code: SpanStatusCode.ERROR, message: 'search backend answered 503' });
tool.end(at(30, 999_999));

// A link to a span of another trace, received from elsewhere: remote, with a trace state.
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
    startTime: at(31, 1),
    attributes: { 'messaging.system': 'rabbitmq', 'messaging.batch.message_count': 3 },
    links: [{ context: upstream, attributes: { 'link.note': 'upstream request' } }],
  },
  inRoot,
);
publish.end(at(32, 2));

// The consumer side, continued from a propagated context: a remote parent carrying a trace state.
const propagated = trace.setSpanContext(ROOT_CONTEXT, {
  traceId: root.spanContext().traceId,
  spanId: publish.spanContext().spanId,
  traceFlags: TraceFlags.SAMPLED,
  isRemote: true,
  traceState: createTraceState('gatehouse=consume,vendor=abc'),
});
const consume = tracer.startSpan(
  'queue.consume',
  { kind: SpanKind.CONSUMER, startTime: at(33, 333_333), attributes: { 'messaging.operation.type': 'process' } },
  propagated,
);
consume.addEvent('message.ack', undefined, at(34, 0));
consume.end(at(35, 5));

root.setAttribute('gatehouse.execution.status', 'SUCCEEDED');
root.setStatus({ code: SpanStatusCode.OK });
root.end(at(40, 777_777));

await provider.forceFlush();
await provider.shutdown();

const spanOut = (span) => ({
  traceId: span.spanContext().traceId,
  spanId: span.spanContext().spanId,
  traceState: span.spanContext().traceState?.serialize() ?? null,
  traceFlags: span.spanContext().traceFlags,
  parentSpanId: span.parentSpanContext?.spanId ?? null,
  parentIsRemote: span.parentSpanContext?.isRemote ?? false,
  name: span.name,
  kind: span.kind,
  startTime: span.startTime,
  endTime: span.endTime,
  status: span.status,
  attributes: span.attributes,
  droppedAttributesCount: span.droppedAttributesCount,
  events: span.events.map((e) => ({ name: e.name, time: e.time, attributes: e.attributes ?? {}, droppedAttributesCount: e.droppedAttributesCount ?? 0 })),
  droppedEventsCount: span.droppedEventsCount,
  links: span.links.map((l) => ({
    traceId: l.context.traceId,
    spanId: l.context.spanId,
    traceState: l.context.traceState?.serialize() ?? null,
    traceFlags: l.context.traceFlags,
    isRemote: l.context.isRemote ?? false,
    attributes: l.attributes ?? {},
    droppedAttributesCount: l.droppedAttributesCount ?? 0,
  })),
  droppedLinksCount: span.droppedLinksCount,
  resource: { attributes: span.resource.attributes, schemaUrl: span.resource.schemaUrl ?? null },
  scope: { name: span.instrumentationScope.name, version: span.instrumentationScope.version ?? null, schemaUrl: span.instrumentationScope.schemaUrl ?? null },
});
process.stdout.write(`${JSON.stringify({ results, spans: exported.map(spanOut) })}\n`);
