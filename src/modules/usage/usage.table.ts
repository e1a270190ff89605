import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';

export interface UsageBudgetsTable {
  organizationId: number;
  /** int8: read back as a JavaScript number (see src/db/connect.ts). */
  monthlyTokenBudget: ColumnType<number | null, number | null | undefined, number | null>;
  alertThresholdPercent: Generated<number>;
  updatedAt: ColumnType<Date, never, Date>;
}

export type UsageBudgetRow = Selectable<UsageBudgetsTable>;
export type NewUsageBudget = Insertable<UsageBudgetsTable>;
