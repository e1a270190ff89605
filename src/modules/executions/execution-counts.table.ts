import type { ColumnType } from 'kysely';

/**
 * An automation's executions by status, kept by triggers on executions as rows are inserted,
 * change status or are deleted (migrations/2026_12_13_140000_execution_counts.ts): what the
 * totalCount of an execution list reads instead of counting executions. Never written by the code.
 */
export interface ExecutionCountsTable {
  organizationId: ColumnType<number, never, never>;
  automationId: ColumnType<string, never, never>;
  queued: ColumnType<number, never, never>;
  running: ColumnType<number, never, never>;
  succeeded: ColumnType<number, never, never>;
  failed: ColumnType<number, never, never>;
}
