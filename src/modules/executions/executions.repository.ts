import type { Executor } from '../../db/database.js';
import { afterCursor, type Page } from '../../graphql/pagination.js';
import type { ExecutionRow, ExecutionStatus, NewExecution } from './executions.table.js';

/** Filters of Automation.executions; a window is half-open, [since, until). */
export interface ExecutionFilter {
  status?: ExecutionStatus | null;
  since?: Date | null;
  until?: Date | null;
}

/** A run ends once; later reports (a late span, a slow kickoff answer) never reopen it. */
export const OPEN_STATUSES: readonly ExecutionStatus[] = ['QUEUED', 'RUNNING'];

export async function findExecutionsByIds(db: Executor, ids: readonly string[]): Promise<ExecutionRow[]> {
  return db.selectFrom('executions').selectAll().where('id', 'in', ids).execute();
}

/**
 * Of `ids`, those that are executions of this automation, locked (FOR NO KEY UPDATE, in id order)
 * until the caller's transaction ends: the OTLP ingest files spans only under them, one export
 * of an execution after another.
 */
export async function lockExecutionsOfAutomation(trx: Executor, organizationId: number, automationId: string, ids: readonly string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await trx
    .selectFrom('executions')
    .select('id')
    .where('organizationId', '=', organizationId)
    .where('automationId', '=', automationId)
    .where('id', 'in', ids)
    .orderBy('id')
    .forNoKeyUpdate()
    .execute();
  return new Set(rows.map((row) => row.id));
}

function filtered(db: Executor, automationId: string, filter: ExecutionFilter) {
  return db
    .selectFrom('executions')
    .where('automationId', '=', automationId)
    .$if(Boolean(filter.status), (qb) => qb.where('status', '=', filter.status ?? 'QUEUED'))
    .$if(Boolean(filter.since), (qb) => qb.where('createdAt', '>=', filter.since ?? new Date(0)))
    .$if(Boolean(filter.until), (qb) => qb.where('createdAt', '<', filter.until ?? new Date(0)));
}

/** Oldest first, so that a partner integration can resume from the last cursor it saw. */
export async function listExecutions(db: Executor, automationId: string, filter: ExecutionFilter, page: Page): Promise<ExecutionRow[]> {
  return filtered(db, automationId, filter)
    .selectAll()
    .where(afterCursor('executions', page.after))
    .orderBy('createdAt')
    .orderBy('id')
    .limit(page.limit + 1)
    .execute();
}

export async function countExecutions(db: Executor, automationId: string, filter: ExecutionFilter): Promise<number> {
  const row = await filtered(db, automationId, filter)
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

export async function insertExecution(db: Executor, values: NewExecution): Promise<ExecutionRow> {
  return db.insertInto('executions').values(values).returningAll().executeTakeFirstOrThrow();
}

/**
 * Moves an execution on only while it is still open (QUEUED or RUNNING), so that a kickoff answer
 * arriving after the runtime already reported completion cannot overwrite it. Answers the row as
 * it is afterwards, changed or not.
 */
export async function advanceExecution(
  db: Executor,
  id: string,
  from: readonly ExecutionStatus[],
  patch: { status: ExecutionStatus; error?: string | null; finishedAt?: Date | null },
): Promise<ExecutionRow> {
  const updated = await db.updateTable('executions').set(patch).where('id', '=', id).where('status', 'in', from).returningAll().executeTakeFirst();
  return updated ?? db.selectFrom('executions').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}
