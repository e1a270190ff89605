import type { Db } from '../db/database.js';
import { inTransaction } from '../db/transaction.js';
import { advanceExecution, lockExecutionsOfAutomation, OPEN_STATUSES } from '../modules/executions/executions.repository.js';
import { insertSpans, sourceIds, type SpanInsert } from '../modules/executions/spans.repository.js';
import type { JsonValue, SpanSource } from '../modules/executions/spans.table.js';
import type { IngestSource } from './authenticate-ingest.js';
import type { OtlpSpan, Rejection } from './otlp-request.js';
import { EXECUTION_ID, EXECUTION_STATUS, INPUT_TOKENS, OUTPUT_TOKENS } from '../modules/executions/span-attributes.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// Per span; the API's Int is 32-bit.
const MAX_TOKENS = 2_147_483_647;

/** Bytes of one span's stored text (name, status, attributes, events, links) past which it is refused. */
export interface SpanSizeLimits {
  spanBytes: number;
  sourceBytes: number;
}

interface Completion {
  status: 'SUCCEEDED' | 'FAILED';
  error: string | null;
  finishedAt: Date;
}

export interface Filed {
  /** Spans stored now; a span already stored (an exporter's retry) is accepted, not stored again. */
  stored: number;
  rejected: Rejection[];
  /** Spans of the request accepted (stored now or before). */
  accepted: number;
  /** Token attributes that were not whole numbers in range, ignored for usage. */
  ignoredTokenValues: number;
}

class SpanRejected extends Error {}

function executionIdOf(span: OtlpSpan): string {
  const value = span.attributes[EXECUTION_ID] ?? span.source.resource.attributes[EXECUTION_ID];
  if (value === undefined || value === null) {
    throw new SpanRejected(`${span.path} has no "${EXECUTION_ID}" attribute (on the span or its resource): set it to the executionId of the kickoff`);
  }
  if (typeof value !== 'string' || !UUID.test(value)) throw new SpanRejected(`${span.path} attribute "${EXECUTION_ID}" must be the executionId of the kickoff (a UUID)`);
  return value.toLowerCase();
}

function tokens(value: JsonValue | undefined): number | null | 'invalid' {
  if (value === undefined || value === null) return null;
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= MAX_TOKENS ? value : 'invalid';
}

function completionOf(span: OtlpSpan): Completion | null {
  const value = span.attributes[EXECUTION_STATUS];
  if (span.parentSpanId !== null || value === undefined || value === null) return null;
  if (value !== 'SUCCEEDED' && value !== 'FAILED') throw new SpanRejected(`${span.path} attribute "${EXECUTION_STATUS}" must be SUCCEEDED or FAILED`);
  const error = value === 'FAILED' ? (span.statusMessage ?? `The automation reported this execution FAILED (root span "${span.name}").`) : null;
  return { status: value, error, finishedAt: new Date(Number(span.endTimeUnixNano / 1_000_000n)) };
}

interface Prepared {
  executionId: string;
  row: Omit<SpanInsert, 'sourceId'>;
  source: SpanSource;
  completion: Completion | null;
  path: string;
}

/** Checks one span on its own and encodes it; throws SpanRejected with the reason. */
function prepare(span: OtlpSpan, limits: SpanSizeLimits, counters: { ignoredTokenValues: number }, sourceBytes: Map<SpanSource, number>): Prepared {
  const executionId = executionIdOf(span);
  let size = sourceBytes.get(span.source);
  if (size === undefined) {
    size = Buffer.byteLength(JSON.stringify(span.source));
    sourceBytes.set(span.source, size);
  }
  if (size > limits.sourceBytes) {
    throw new SpanRejected(`${span.path}: its resource and scope take ${size} bytes, over OTLP_SOURCE_MAX_BYTES (${limits.sourceBytes}); send fewer or shorter resource attributes`);
  }
  const attributes = JSON.stringify(span.attributes);
  const events = span.events.length > 0 ? JSON.stringify(span.events) : null;
  const links = span.links.length > 0 ? JSON.stringify(span.links) : null;
  // UTF-8 bytes of the JSON, as a response carries them: what the read bound (README "Traces") counts.
  const bytes =
    Buffer.byteLength(attributes) + (events ? Buffer.byteLength(events) : 0) + (links ? Buffer.byteLength(links) : 0) +
    Buffer.byteLength(JSON.stringify(span.name)) + (span.statusMessage ? Buffer.byteLength(JSON.stringify(span.statusMessage)) : 0);
  if (bytes > limits.spanBytes) {
    throw new SpanRejected(`${span.path} takes ${bytes} bytes (attributes, events, links), over OTLP_SPAN_MAX_BYTES (${limits.spanBytes}); record less on one span`);
  }
  const input = tokens(span.attributes[INPUT_TOKENS]);
  const output = tokens(span.attributes[OUTPUT_TOKENS]);
  if (input === 'invalid') counters.ignoredTokenValues++;
  if (output === 'invalid') counters.ignoredTokenValues++;
  return {
    executionId,
    source: span.source,
    completion: completionOf(span),
    path: span.path,
    row: {
      executionId,
      traceId: span.traceId,
      spanId: span.spanId,
      parentSpanId: span.parentSpanId,
      traceState: span.traceState,
      flags: span.flags,
      name: span.name,
      kind: span.kind,
      startTimeUnixNano: span.startTimeUnixNano.toString(),
      endTimeUnixNano: span.endTimeUnixNano.toString(),
      statusCode: span.statusCode,
      statusMessage: span.statusMessage,
      attributes,
      droppedAttributesCount: span.droppedAttributesCount,
      events,
      droppedEventsCount: span.droppedEventsCount,
      links,
      droppedLinksCount: span.droppedLinksCount,
      inputTokens: typeof input === 'number' ? input : 0,
      outputTokens: typeof output === 'number' ? output : 0,
    },
  };
}

// The same words for an execution of another automation and one that does not exist (SPEC §1).
const notOurs = (path: string, executionId: string): Rejection => ({
  path,
  reason: `${path} attribute "${EXECUTION_ID}" names ${executionId}, which is not an execution of this automation: use the executionId of a kickoff this deployment received`,
});

/**
 * Files a request's spans under their executions. Each span is checked on its own; one that is
 * refused (no or a foreign execution, too large) is reported and the rest are stored, in one
 * transaction. The executions are locked first, in id order (no deadlock between two exports),
 * so that the spans of one execution are stored one export after another and their ids follow
 * the order of arrival (src/modules/executions/spans.table.ts).
 */
export async function fileSpans(db: Db, source: IngestSource, spans: readonly OtlpSpan[], earlier: readonly Rejection[], limits: SpanSizeLimits): Promise<Filed> {
  const rejected: Rejection[] = [...earlier];
  const counters = { ignoredTokenValues: 0 };
  const prepared: Prepared[] = [];
  const seen = new Set<string>();
  let duplicates = 0;
  const sourceBytes = new Map<SpanSource, number>();
  for (const span of spans) {
    try {
      const item = prepare(span, limits, counters, sourceBytes);
      // A span twice in one export is one span; the second copy is accepted as a retry would be.
      const key = `${item.executionId}/${span.traceId}/${span.spanId}`;
      if (seen.has(key)) duplicates++;
      else prepared.push(item);
      seen.add(key);
    } catch (error) {
      if (!(error instanceof SpanRejected)) throw error;
      rejected.push({ path: span.path, reason: error.message });
    }
  }
  const executionIds = [...new Set(prepared.map((p) => p.executionId))].sort();
  if (executionIds.length === 0) return { stored: 0, rejected, accepted: duplicates, ignoredTokenValues: counters.ignoredTokenValues };
  return inTransaction(db, async (trx) => {
    const known = await lockExecutionsOfAutomation(trx, source.organizationId, source.automationId, executionIds);
    const kept = prepared.filter((p) => {
      if (known.has(p.executionId)) return true;
      rejected.push(notOurs(p.path, p.executionId));
      return false;
    });
    const ids = await sourceIds(trx, source.organizationId, [...new Set(kept.map((p) => p.source))]);
    const counts = await insertSpans(trx, source.organizationId, kept.map((p) => ({ ...p.row, sourceId: ids.get(p.source) ?? -1 })));
    const completions = new Map<string, Completion>();
    for (const { executionId, completion } of kept) {
      // Two root spans disagreeing about one run: FAILED wins, the cautious reading.
      if (completion && completions.get(executionId)?.status !== 'FAILED') completions.set(executionId, completion);
    }
    for (const [executionId, completion] of completions) await advanceExecution(trx, executionId, OPEN_STATUSES, completion);
    const stored = counts.reduce((sum, c) => sum + c.spans, 0);
    return { stored, rejected, accepted: kept.length + duplicates, ignoredTokenValues: counters.ignoredTokenValues };
  });
}
