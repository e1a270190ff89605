import type { ColumnType, Generated, Insertable, JSONColumnType, Selectable } from 'kysely';

export type ExecutionStatus = 'QUEUED' | 'RUNNING' | 'SUCCEEDED' | 'FAILED';

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
  /** When the run last changed: its status, or spans arriving. */
  updatedAt: ColumnType<Date, never, Date>;
  /** Spans stored for this run, kept by the ingest in the transaction that stores them. */
  spanCount: ColumnType<number, never, number>;
  /** Of those, the spans with status ERROR (Execution.spans(filter: { errorsOnly }) counts them), kept the same way. */
  errorSpanCount: ColumnType<number, never, number>;
  /** Sums of the spans' gen_ai.usage.input_tokens / output_tokens, kept the same way. */
  inputTokens: ColumnType<number, never, number>;
  outputTokens: ColumnType<number, never, number>;
}

export type ExecutionRow = Selectable<ExecutionsTable>;
export type NewExecution = Insertable<ExecutionsTable>;

// The rows of the usage queries over this table (usage-stats.repository.ts), kept here with the
// table's own so that the GraphQL models (src/graphql/models.ts) can name them.
/** Executions and tokens of a group (one automation, or one UTC day) over a window. */
export interface UsageCounts {
  executions: number;
  succeeded: number;
  failed: number;
  inputTokens: number;
  outputTokens: number;
}

export interface AutomationUsageRow extends UsageCounts {
  automationId: string;
}

export interface DailyUsageRow extends UsageCounts {
  /** The UTC day, `YYYY-MM-DD`. */
  day: string;
}
