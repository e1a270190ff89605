/**
 * The span attributes Gatehouse reads, beyond OTLP itself (README "Runner contract"):
 * - `gatehouse.execution.id` (span attribute, else resource attribute): the execution, of the
 *   token's own automation, the span is filed under. A span without one is rejected.
 * - `gen_ai.usage.input_tokens` / `gen_ai.usage.output_tokens` (OpenTelemetry GenAI semantic
 *   conventions): the span's token counts, added to its execution's sums for the usage dashboard.
 * - `gatehouse.execution.status` = SUCCEEDED | FAILED on a root span (no parent): the run is over.
 *   It completes an execution that is still QUEUED or RUNNING, at the span's end time; a FAILED
 *   run's error is the span's status message. On other spans it is ignored. A finished execution
 *   is never reopened, so a re-sent batch changes nothing.
 */
export const EXECUTION_ID = 'gatehouse.execution.id';
export const EXECUTION_STATUS = 'gatehouse.execution.status';
export const INPUT_TOKENS = 'gen_ai.usage.input_tokens';
export const OUTPUT_TOKENS = 'gen_ai.usage.output_tokens';
