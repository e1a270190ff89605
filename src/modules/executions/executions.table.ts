import type { ColumnType, Generated, Insertable, JSONColumnType, Selectable } from 'kysely';

export type ExecutionStatus = 'QUEUED' | 'RUNNING' | 'SUCCEEDED' | 'FAILED';
export type SpanKind = 'UNSPECIFIED' | 'INTERNAL' | 'SERVER' | 'CLIENT' | 'PRODUCER' | 'CONSUMER';
export type SpanStatusCode = 'UNSET' | 'OK' | 'ERROR';

/** A JSON value as stored in jsonb: what OTLP attribute values become (src/ingest/otlp-json.ts). */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** One span event (a log line of the runtime), as stored. */
export interface SpanEvent {
  name: string;
  time: string;
  attributes: Record<string, JsonValue>;
}

export interface ExecutionsTable {
  id: Generated<string>;
  organizationId: number;
  automationId: string;
  deploymentId: string | null;
  inputs: JSONColumnType<Record<string, unknown>, string, string>;
  status: ColumnType<ExecutionStatus, ExecutionStatus | undefined, ExecutionStatus>;
  /** Why it FAILED, in words the caller can act on. */
  error: string | null;
  startedByUserId: string | null;
  startedByServiceAccountId: string | null;
  createdAt: ColumnType<Date, never, never>;
  finishedAt: ColumnType<Date | null, Date | null | undefined, Date | null>;
}

export interface SpansTable {
  id: Generated<string>;
  organizationId: number;
  automationId: string;
  executionId: string;
  traceId: string;
  spanId: string;
  parentSpanId: string | null;
  name: string;
  kind: SpanKind;
  startTime: Date;
  endTime: Date;
  statusCode: SpanStatusCode;
  statusMessage: string | null;
  attributes: JSONColumnType<Record<string, JsonValue>, string, string>;
  events: JSONColumnType<SpanEvent[], string, string>;
  /** int8, read back as a JavaScript number (src/db/connect.ts). */
  inputTokens: number | null;
  outputTokens: number | null;
  createdAt: ColumnType<Date, never, never>;
}

export type ExecutionRow = Selectable<ExecutionsTable>;
export type NewExecution = Insertable<ExecutionsTable>;
export type SpanRow = Selectable<SpansTable>;
export type NewSpan = Insertable<SpansTable>;
