import type { Db } from '../db/database.js';
import { inTransaction } from '../db/transaction.js';
import { advanceExecution, executionIdsOfAutomation, OPEN_STATUSES } from '../modules/executions/executions.repository.js';
import type { JsonValue, NewSpan } from '../modules/executions/executions.table.js';
import { insertSpans } from '../modules/executions/spans.repository.js';
import type { IngestSource } from './authenticate-ingest.js';
import type { OtlpSpan } from './otlp-json.js';
import { fail } from './otlp-values.js';

/**
 * What Gatehouse reads from the spans, beyond OTLP itself:
 * - `gatehouse.execution.id` (span attribute, else resource attribute): the execution, of the
 *   token's own automation, the span is filed under. Required on every span.
 * - `gen_ai.usage.input_tokens` / `gen_ai.usage.output_tokens` (OpenTelemetry GenAI semantic
 *   conventions): the span's token counts, summed by the usage dashboard.
 * - `gatehouse.execution.status` = SUCCEEDED | FAILED on a root span (no parent): the run is over.
 *   It completes an execution that is still QUEUED or RUNNING, at the span's end time; a FAILED
 *   run's error is the span's status message. On other spans it is ignored. A finished execution
 *   is never reopened, so a re-sent batch changes nothing.
 */
export const EXECUTION_ID = 'gatehouse.execution.id';
export const EXECUTION_STATUS = 'gatehouse.execution.status';
export const INPUT_TOKENS = 'gen_ai.usage.input_tokens';
export const OUTPUT_TOKENS = 'gen_ai.usage.output_tokens';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// Per span; the column is int8 but the API's Int is 32-bit.
const MAX_TOKENS = 2_147_483_647;

interface Completion {
  status: 'SUCCEEDED' | 'FAILED';
  error: string | null;
  finishedAt: Date;
}

function executionIdOf(span: OtlpSpan): string {
  const value = span.attributes[EXECUTION_ID] ?? span.resourceAttributes[EXECUTION_ID];
  if (value === undefined || value === null) {
    return fail(span.path, `has no "${EXECUTION_ID}" attribute (on the span or its resource): set it to the executionId of the kickoff`);
  }
  if (typeof value !== 'string' || !UUID.test(value)) return fail(`${span.path} attribute "${EXECUTION_ID}"`, 'must be the executionId of the kickoff (a UUID)');
  return value.toLowerCase();
}

function tokens(span: OtlpSpan, key: string): number | null {
  const value: JsonValue | undefined = span.attributes[key];
  if (value === undefined || value === null) return null;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > MAX_TOKENS) {
    return fail(`${span.path}.attributes["${key}"]`, `must be a whole number of tokens from 0 to ${MAX_TOKENS}`);
  }
  return value;
}

function completionOf(span: OtlpSpan): Completion | null {
  const value = span.attributes[EXECUTION_STATUS];
  if (span.parentSpanId !== null || value === undefined || value === null) return null;
  if (value !== 'SUCCEEDED' && value !== 'FAILED') return fail(`${span.path}.attributes["${EXECUTION_STATUS}"]`, 'must be SUCCEEDED or FAILED');
  const error = value === 'FAILED' ? (span.statusMessage ?? `The automation reported this execution FAILED (root span "${span.name}").`) : null;
  return { status: value, error, finishedAt: span.endTime };
}

/**
 * Files a request's spans under their executions, all or nothing: every span is checked first,
 * and one that names no execution of this automation rejects the request (OtlpSchemaError)
 * before anything is written. The writes then share one transaction. Answers how many spans
 * were new.
 */
export async function fileSpans(db: Db, source: IngestSource, spans: readonly OtlpSpan[]): Promise<number> {
  const rows: NewSpan[] = [];
  const completions = new Map<string, Completion>();
  const firstPath = new Map<string, string>();
  for (const span of spans) {
    const executionId = executionIdOf(span);
    if (!firstPath.has(executionId)) firstPath.set(executionId, span.path);
    rows.push({
      organizationId: source.organizationId,
      automationId: source.automationId,
      executionId,
      traceId: span.traceId,
      spanId: span.spanId,
      parentSpanId: span.parentSpanId,
      name: span.name,
      kind: span.kind,
      startTime: span.startTime,
      endTime: span.endTime,
      statusCode: span.statusCode,
      statusMessage: span.statusMessage,
      attributes: JSON.stringify(span.attributes),
      events: JSON.stringify(span.events),
      inputTokens: tokens(span, INPUT_TOKENS),
      outputTokens: tokens(span, OUTPUT_TOKENS),
    });
    const completion = completionOf(span);
    // Two root spans disagreeing about one run: FAILED wins, the cautious reading.
    if (completion && completions.get(executionId)?.status !== 'FAILED') completions.set(executionId, completion);
  }
  return inTransaction(db, async (trx) => {
    const known = await executionIdsOfAutomation(trx, source.organizationId, source.automationId, [...firstPath.keys()]);
    for (const [executionId, path] of firstPath) {
      // Another automation's execution and one that does not exist answer alike (SPEC §1).
      if (!known.has(executionId)) fail(`${path} attribute "${EXECUTION_ID}"`, `names ${executionId}, which is not an execution of this automation; nothing of this request was stored`);
    }
    const inserted = await insertSpans(trx, rows);
    for (const [executionId, completion] of completions) await advanceExecution(trx, executionId, OPEN_STATUSES, completion);
    return inserted;
  });
}
