// The reference runner's tracing: the stock OpenTelemetry SDK and OTLP/HTTP exporter, configured
// from the environment alone, as README "Runner contract" promises a stock runtime can be.
//
// The exporter is constructed without options: endpoint, headers (the ingest token) and
// compression come from OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, OTEL_EXPORTER_OTLP_HEADERS and
// OTEL_EXPORTER_OTLP_TRACES_COMPRESSION; span limits and the batch size from OTEL_*_LIMIT and
// OTEL_BSP_*, which the SDK reads itself. OTEL_TRACES_EXPORTER and
// OTEL_EXPORTER_OTLP_TRACES_PROTOCOL choose the exporter the way @opentelemetry/sdk-node would.
import { envDetector, detectResources, resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';

/** Which stock exporter package the environment asks for; null for OTEL_TRACES_EXPORTER=none. */
function exporterPackage(env) {
  const exporters = (env.OTEL_TRACES_EXPORTER ?? 'otlp').split(',').map((name) => name.trim());
  if (exporters.includes('none')) return null;
  if (!exporters.includes('otlp')) throw new Error(`OTEL_TRACES_EXPORTER=${env.OTEL_TRACES_EXPORTER}: this runner exports with otlp only.`);
  const protocol = env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ?? env.OTEL_EXPORTER_OTLP_PROTOCOL ?? 'http/protobuf';
  if (protocol === 'http/protobuf') return '@opentelemetry/exporter-trace-otlp-proto';
  if (protocol === 'http/json') return '@opentelemetry/exporter-trace-otlp-http';
  // The gateway serves no OTLP/gRPC (README "Traces (OTLP)"); the Secret never asks for it.
  throw new Error(`OTEL_EXPORTER_OTLP_TRACES_PROTOCOL=${protocol}: the gateway receives http/protobuf or http/json only.`);
}

/**
 * Starts the tracer provider. Export results are kept in `results` ({ code, error }) because the
 * SDK would only log a failed export, and a test wants to see that every export succeeded.
 */
export async function startTelemetry(env) {
  const results = [];
  const spanProcessors = [];
  const pkg = exporterPackage(env);
  if (pkg) {
    const { OTLPTraceExporter } = await import(pkg);
    const stock = new OTLPTraceExporter();
    const exporter = {
      export(spans, done) {
        stock.export(spans, (result) => {
          results.push({ code: result.code, error: result.error ? String(result.error.message ?? result.error) : null });
          done(result);
        });
      },
      forceFlush: () => stock.forceFlush(),
      shutdown: () => stock.shutdown(),
    };
    spanProcessors.push(new BatchSpanProcessor(exporter));
  }
  // What this process is; OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES, when set, win. The
  // execution id is not here: one process runs many executions, so each span carries its own.
  const resource = resourceFromAttributes({
    'service.name': `automation-${env.GATEHOUSE_AUTOMATION_ID ?? 'unknown'}`,
    'service.version': env.GATEHOUSE_AUTOMATION_VERSION ?? '0',
    'gatehouse.organization.id': env.GATEHOUSE_ORGANIZATION_ID ?? '',
    'gatehouse.automation.id': env.GATEHOUSE_AUTOMATION_ID ?? '',
  }).merge(detectResources({ detectors: [envDetector] }));
  const provider = new BasicTracerProvider({ resource, spanProcessors });
  return {
    tracer: provider.getTracer('gatehouse.reference-runner', '1.0.0'),
    results,
    /** Sends what is batched now: the end of a run should reach the gateway without waiting for the timer. */
    flush: () => provider.forceFlush(),
    shutdown: () => provider.shutdown(),
  };
}
