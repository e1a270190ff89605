import { sql, type RawBuilder } from 'kysely';
import type { Executor } from '../../db/database.js';
import { viewable, type AutomationScope } from '../automations/automations.repository.js';
import type { AutomationUsageRow, DailyUsageRow, UsageCounts } from './executions.table.js';

export interface UsageWindow {
  since: Date;
  until: Date;
}

/**
 * The executions the viewer may see, started in [since, until), each with its spans' token sums
 * (kept on the execution by the ingest, so that no span is read and pruned traces still count).
 * The view rule of SPEC §3 (`viewable`, the predicate of the automations list) filters in this
 * same statement, so a private automation off the viewer's whitelist adds nothing to any sum.
 * Tokens count towards the window and day in which their execution started.
 */
function visibleExecutions(db: Executor, scope: AutomationScope, window: UsageWindow) {
  return db
    .selectFrom('executions')
    .innerJoin('automations', (join) =>
      join.onRef('automations.id', '=', 'executions.automationId').onRef('automations.organizationId', '=', 'executions.organizationId'),
    )
    .where('executions.organizationId', '=', scope.organizationId)
    .where('executions.createdAt', '>=', window.since)
    .where('executions.createdAt', '<', window.until)
    .where(viewable(scope));
}

// sum() over int8 is numeric, which the drivers return as a string: cast back to int8 (a number,
// src/db/connect.ts). Token sums of one organization stay far below 2^53.
const counts = {
  executions: sql<number>`count(*)`,
  succeeded: sql<number>`count(*) filter (where ${sql.ref('executions.status')} = 'SUCCEEDED')`,
  failed: sql<number>`count(*) filter (where ${sql.ref('executions.status')} = 'FAILED')`,
  inputTokens: sql<number>`coalesce(sum(${sql.ref('executions.inputTokens')}), 0)::int8`,
  outputTokens: sql<number>`coalesce(sum(${sql.ref('executions.outputTokens')}), 0)::int8`,
} satisfies Record<keyof UsageCounts, RawBuilder<number>>;

/** Per automation that ran in the window, busiest first. */
export async function usageByAutomation(db: Executor, scope: AutomationScope, window: UsageWindow): Promise<AutomationUsageRow[]> {
  return visibleExecutions(db, scope, window)
    .select([
      'automations.id as automationId',
      counts.executions.as('executions'),
      counts.succeeded.as('succeeded'),
      counts.failed.as('failed'),
      counts.inputTokens.as('inputTokens'),
      counts.outputTokens.as('outputTokens'),
    ])
    .groupBy('automations.id')
    .orderBy(sql`count(*)`, 'desc')
    .orderBy('automations.id')
    .execute();
}

/** Per UTC day on which something ran; days without executions are not returned. */
export async function usageByDay(db: Executor, scope: AutomationScope, window: UsageWindow): Promise<DailyUsageRow[]> {
  const day = sql<string>`to_char(${sql.ref('executions.createdAt')} at time zone 'UTC', 'YYYY-MM-DD')`;
  return visibleExecutions(db, scope, window)
    .select([
      day.as('day'),
      counts.executions.as('executions'),
      counts.succeeded.as('succeeded'),
      counts.failed.as('failed'),
      counts.inputTokens.as('inputTokens'),
      counts.outputTokens.as('outputTokens'),
    ])
    .groupBy(sql`1`)
    .orderBy(sql`1`)
    .execute();
}
