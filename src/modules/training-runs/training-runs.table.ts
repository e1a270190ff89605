import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';

export type TrainingRunStatus = 'QUEUED' | 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'CANCELLED';

export interface TrainingRunsTable {
  id: Generated<string>;
  organizationId: number;
  name: string;
  agentId: string | null;
  iterations: number;
  status: ColumnType<TrainingRunStatus, TrainingRunStatus | undefined, TrainingRunStatus>;
  createdByUserId: string | null;
  createdAt: ColumnType<Date, never, never>;
  updatedAt: ColumnType<Date, never, Date>;
}

export type TrainingRunRow = Selectable<TrainingRunsTable>;
export type NewTrainingRun = Insertable<TrainingRunsTable>;
