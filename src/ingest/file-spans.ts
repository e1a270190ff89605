import type { Db } from '../db/database.js';
import { inTransaction } from '../db/transaction.js';
import { advanceExecution, lockExecutionsOfAutomation, OPEN_STATUSES } from '../modules/executions/executions.repository.js';
import { insertSpanRows, sourceIds, spanRowBody, spanRowHead, spanRowTextBytes, type SpanRow } from '../modules/executions/spans.repository.js';
import type { JsonValue, SpanSource } from '../modules/executions/spans.table.js';
import type { IngestSource } from './authenticate-ingest.js';
import type { OtlpSpan, Rejection } from './otlp-request.js';
import { EXECUTION_ID, EXECUTION_STATUS, INPUT_TOKENS, OUTPUT_TOKENS } from '../modules/executions/span-attributes.js';
import { enqueueWebhookEvent } from '../modules/webhooks/enqueue-event.js';

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

/** The execution a span names; the last one checked is remembered, as the spans of a batch mostly name one. */
class ExecutionIds {
  private raw: unknown = undefined;
  private id = '';

  of(span: OtlpSpan): string {
    const value = span.attributes[EXECUTION_ID] ?? span.source.resource.attributes[EXECUTION_ID];
    if (value === this.raw) return this.id;
    if (value === undefined || value === null) {
      throw new SpanRejected(`${span.path} has no "${EXECUTION_ID}" attribute (on the span or its resource): set it to the executionId of the kickoff`);
    }
    if (typeof value !== 'string' || !UUID.test(value))
      throw new SpanRejected(`${span.path} attribute "${EXECUTION_ID}" must be the executionId of the kickoff (a UUID)`);
    this.raw = value;
    this.id = value.toLowerCase();
    return this.id;
  }
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
  /** The span's insert row, made here in one pass (spans.repository.ts spanRowHead, spanRowBody). */
  row: SpanRow;
  /** The span's resource and scope, by position (from 1) in the request's `sources`. */
  source: number;
  completion: Completion | null;
  path: string;
}

/** A request's spans checked one by one, encoded for the insert; the rest refused or counted. */
interface PreparedRequest {
  prepared: Prepared[];
  /** The distinct resource/scope pairs of the request, in the order first met. */
  sources: SpanSource[];
  rejected: Rejection[];
  /** Second copies of a span in the same request. */
  duplicates: number;
  ignoredTokenValues: number;
}

/** What the checks of one request keep between its spans. */
interface Checks {
  limits: SpanSizeLimits;
  executions: ExecutionIds;
  /** Per resource/scope pair: its position in `request.sources` (0 when over the cap), and its size. */
  sources: Map<SpanSource, { position: number; bytes: number }>;
  request: PreparedRequest;
}

/** Checks one span on its own and encodes its row; throws SpanRejected with the reason. */
function prepare(span: OtlpSpan, checks: Checks): Prepared {
  const { limits, request } = checks;
  const executionId = checks.executions.of(span);
  let source = checks.sources.get(span.source);
  if (source === undefined) {
    source = { position: 0, bytes: Buffer.byteLength(JSON.stringify(span.source)) };
    if (source.bytes <= limits.sourceBytes) source.position = request.sources.push(span.source);
    checks.sources.set(span.source, source);
  }
  if (source.bytes > limits.sourceBytes) {
    throw new SpanRejected(
      `${span.path}: its resource and scope take ${source.bytes} bytes, over OTLP_SOURCE_MAX_BYTES (${limits.sourceBytes}); send fewer or shorter resource attributes`,
    );
  }
  const events = span.events.length > 0 ? span.events : null;
  const links = span.links.length > 0 ? span.links : null;
  // Attributes, events and links are encoded once, into the row; no copy of the span is made.
  const body = spanRowBody(span.name, span.statusMessage, span.attributes, events, links);
  // UTF-8 bytes of the JSON, as a response carries them: what the read bound (README "Traces") counts.
  const bytes = spanRowTextBytes(body, span.statusMessage, events, links);
  if (bytes > limits.spanBytes) {
    throw new SpanRejected(
      `${span.path} takes ${bytes} bytes (attributes, events, links), over OTLP_SPAN_MAX_BYTES (${limits.spanBytes}); record less on one span`,
    );
  }
  const input = tokens(span.attributes[INPUT_TOKENS]);
  const output = tokens(span.attributes[OUTPUT_TOKENS]);
  if (input === 'invalid') request.ignoredTokenValues++;
  if (output === 'invalid') request.ignoredTokenValues++;
  const completion = completionOf(span);
  const head = spanRowHead(executionId, source.position, span, typeof input === 'number' ? input : 0, typeof output === 'number' ? output : 0);
  return { executionId, row: { head, body }, source: source.position, completion, path: span.path };
}

/** Every span checked and encoded, before any database work; those refused are in `rejected`. */
export function prepareRequest(spans: readonly OtlpSpan[], earlier: readonly Rejection[], limits: SpanSizeLimits): PreparedRequest {
  const request: PreparedRequest = { prepared: [], sources: [], rejected: [...earlier], duplicates: 0, ignoredTokenValues: 0 };
  const checks: Checks = { limits, executions: new ExecutionIds(), sources: new Map(), request };
  const seen = new Set<string>();
  for (const span of spans) {
    try {
      const item = prepare(span, checks);
      // A span twice in one export is one span; the second copy is accepted as a retry would be.
      const key = item.executionId + span.traceId + span.spanId;
      if (seen.has(key)) request.duplicates++;
      else request.prepared.push(item);
      seen.add(key);
    } catch (error) {
      if (!(error instanceof SpanRejected)) throw error;
      request.rejected.push({ path: span.path, reason: error.message });
    }
  }
  return request;
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
export async function fileSpans(
  db: Db,
  source: IngestSource,
  spans: readonly OtlpSpan[],
  earlier: readonly Rejection[],
  limits: SpanSizeLimits,
): Promise<Filed> {
  const { prepared, sources, rejected, duplicates, ignoredTokenValues } = prepareRequest(spans, earlier, limits);
  const executionIds = [...new Set(prepared.map((p) => p.executionId))].sort();
  if (executionIds.length === 0) return { stored: 0, rejected, accepted: duplicates, ignoredTokenValues };
  return inTransaction(db, async (trx) => {
    // A copy per attempt: after a deadlock inTransaction runs this again, and the spans refused
    // by the rolled-back attempt would otherwise be reported twice.
    const refused = [...rejected];
    const known = await lockExecutionsOfAutomation(trx, source.organizationId, source.automationId, executionIds);
    const kept = prepared.filter((p) => {
      if (known.has(p.executionId)) return true;
      refused.push(notOurs(p.path, p.executionId));
      return false;
    });
    // Only the sources of spans kept are stored; the rows name theirs by position in `sources`.
    const used = [...new Set(kept.map((p) => p.source))].map((position) => sources[position - 1] as SpanSource);
    const ids = await sourceIds(trx, source.organizationId, used);
    const counts = await insertSpanRows(
      trx,
      source.organizationId,
      kept.map((p) => p.row),
      sources.map((s) => ids.get(s) ?? 0),
    );
    const completions = new Map<string, Completion>();
    for (const { executionId, completion } of kept) {
      // Two root spans disagreeing about one run: FAILED wins, the cautious reading.
      if (completion && completions.get(executionId)?.status !== 'FAILED') completions.set(executionId, completion);
    }
    for (const [executionId, completion] of completions) {
      await enqueueWebhookEvent(trx, { type: 'execution.finished', execution: await advanceExecution(trx, executionId, OPEN_STATUSES, completion) });
    }
    const stored = counts.reduce((sum, c) => sum + c.spans, 0);
    return { stored, rejected: refused, accepted: kept.length + duplicates, ignoredTokenValues };
  });
}
