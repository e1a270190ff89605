import type { Config } from '../../config.js';

/**
 * What a deployed automation's Secret tells its runtime about reporting (SPEC §7, README "Runner
 * contract"): a stock OpenTelemetry SDK configured from these alone exports its spans to the
 * gateway. The protocol is set because the specification's default, and the SDKs' where they read
 * it, is http/protobuf for some and gRPC for others; the caps are the gateway's own, so that the
 * SDK cuts and counts where the gateway would (src/ingest/otlp-request.ts).
 */
export function runnerTelemetryEnv(config: Config, ingestToken: string): Record<string, string> {
  const { ingest } = config;
  return {
    GATEHOUSE_INGEST_TOKEN: ingestToken,
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${config.k8s.ingestBaseUrl}/v1/traces`,
    OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/protobuf',
    OTEL_EXPORTER_OTLP_HEADERS: `authorization=Bearer ${ingestToken}`,
    // Exports travel compressed; the gateway inflates them within OTLP_MAX_BYTES.
    OTEL_EXPORTER_OTLP_TRACES_COMPRESSION: 'gzip',
    OTEL_TRACES_EXPORTER: 'otlp',
    OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT: String(ingest.attributeValueLength),
    OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT: String(ingest.attributeCount),
    OTEL_SPAN_EVENT_COUNT_LIMIT: String(ingest.eventCount),
    OTEL_SPAN_LINK_COUNT_LIMIT: String(ingest.linkCount),
    // The SDKs' default batch (512) is far below the gateway's cap; a larger one is cut to it.
    OTEL_BSP_MAX_EXPORT_BATCH_SIZE: String(Math.min(512, ingest.maxSpansPerRequest)),
    GATEHOUSE_HITL_ENDPOINT: `${config.k8s.ingestBaseUrl}/v1/hitl-requests`,
    // Where a zip (or Studio) source's code is downloaded with the ingest token (README "Fetching the code").
    GATEHOUSE_CODE_URL: `${config.k8s.ingestBaseUrl}/v1/code`,
  };
}
