import { sql, type SqlBool } from 'kysely';
import type { Executor } from '../../db/database.js';
import type { actionableAutomationIds } from '../automations/automations.repository.js';
import type { ExecutionRow, ExecutionStatus, NewExecution } from './executions.table.js';

/**
 * Filters of the execution lists (Automation.executions, Organization.executions). Windows are
 * half-open: started in [startedAfter, startedBefore), updated at or after updatedSince.
 */
export interface ExecutionFilter {
  automationIds?: readonly string[] | null;
  statuses?: readonly ExecutionStatus[] | null;
  startedAfter?: Date | null;
  startedBefore?: Date | null;
  updatedSince?: Date | null;
}

/** CREATED_AT: oldest first, for paging history; UPDATED_AT: least recently changed first, for polling changes. */
export type ExecutionOrder = 'CREATED_AT' | 'UPDATED_AT';

/** Where a page resumes: after the row with this order key and id. */
export interface ExecutionCursor {
  at: Date;
  id: string;
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

/** Which executions a list covers: one automation's, or those of the automations a subquery yields. */
export type ExecutionSource = { automationId: string } | { organizationId: number; automationIds: ReturnType<typeof actionableAutomationIds> };

function filtered(db: Executor, source: ExecutionSource, filter: ExecutionFilter) {
  let query = db.selectFrom('executions');
  query =
    'automationId' in source
      ? query.where('executions.automationId', '=', source.automationId)
      : query.where('executions.organizationId', '=', source.organizationId).where('executions.automationId', 'in', source.automationIds);
  // An empty list filters everything out (`in ()` is no SQL).
  if (filter.automationIds) query = filter.automationIds.length > 0 ? query.where('executions.automationId', 'in', filter.automationIds) : query.where(sql<SqlBool>`false`);
  if (filter.statuses) query = filter.statuses.length > 0 ? query.where('executions.status', 'in', filter.statuses) : query.where(sql<SqlBool>`false`);
  if (filter.startedAfter) query = query.where('executions.createdAt', '>=', filter.startedAfter);
  if (filter.startedBefore) query = query.where('executions.createdAt', '<', filter.startedBefore);
  if (filter.updatedSince) query = query.where('executions.updatedAt', '>=', filter.updatedSince);
  return query;
}

/** One page in a stable order, `limit + 1` rows; ties on the time break on id. */
export async function listExecutions(db: Executor, source: ExecutionSource, filter: ExecutionFilter, order: ExecutionOrder, after: ExecutionCursor | null, limit: number): Promise<ExecutionRow[]> {
  const column = order === 'UPDATED_AT' ? 'executions.updatedAt' : 'executions.createdAt';
  let query = filtered(db, source, filter).selectAll('executions');
  if (after) query = query.where(sql<SqlBool>`(${sql.ref(column)}, ${sql.ref('executions.id')}) > (${after.at}, ${after.id})`);
  return query.orderBy(column).orderBy('executions.id').limit(limit + 1).execute();
}

/** The number of executions the same filter lists: totalCount agrees with the pages. */
export async function countExecutions(db: Executor, source: ExecutionSource, filter: ExecutionFilter): Promise<number> {
  const row = await filtered(db, source, filter)
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
  const updated = await db.updateTable('executions').set({ ...patch, updatedAt: sql<Date>`now()` }).where('id', '=', id).where('status', 'in', from).returningAll().executeTakeFirst();
  return updated ?? db.selectFrom('executions').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}
