import { sql, type RawBuilder, type SqlBool } from 'kysely';
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

/** Which executions a list covers, in one organization: one automation's, or those of the automations a subquery yields. */
export type ExecutionSource = { organizationId: number } & ({ automationId: string } | { automationIds: ReturnType<typeof actionableAutomationIds> });

function filtered(db: Executor, source: ExecutionSource, filter: ExecutionFilter) {
  let query = db.selectFrom('executions').where('executions.organizationId', '=', source.organizationId);
  query =
    'automationId' in source
      ? query.where('executions.automationId', '=', source.automationId)
      : query.where('executions.automationId', 'in', source.automationIds);
  // An empty list filters everything out (`in ()` is no SQL).
  if (filter.automationIds)
    query = filter.automationIds.length > 0 ? query.where('executions.automationId', 'in', filter.automationIds) : query.where(sql<SqlBool>`false`);
  if (filter.statuses) query = filter.statuses.length > 0 ? query.where('executions.status', 'in', filter.statuses) : query.where(sql<SqlBool>`false`);
  if (filter.startedAfter) query = query.where('executions.createdAt', '>=', filter.startedAfter);
  if (filter.startedBefore) query = query.where('executions.createdAt', '<', filter.startedBefore);
  if (filter.updatedSince) query = query.where('executions.updatedAt', '>=', filter.updatedSince);
  return query;
}

/** A page of an execution list, and the list's totalCount when the counters gave it with the rows (else null). */
export interface ExecutionPage {
  rows: ExecutionRow[];
  totalCount: number | null;
}

/**
 * One page in a stable order, `limit + 1` rows; ties on the time break on id. Where the counters
 * answer the list's totalCount (countExecutions), the same statement reads them (a subquery run
 * once, a few rows): a page with its totalCount costs what one without does.
 */
export async function listExecutions(
  db: Executor,
  source: ExecutionSource,
  filter: ExecutionFilter,
  order: ExecutionOrder,
  after: ExecutionCursor | null,
  limit: number,
): Promise<ExecutionPage> {
  const column = order === 'UPDATED_AT' ? 'executions.updatedAt' : 'executions.createdAt';
  const counted = countersTotal(db, source, filter);
  const total = typeof counted === 'object' && counted !== null ? counted : sql<null>`null::bigint`;
  let query = filtered(db, source, filter).selectAll('executions').select(total.as('listTotalCount'));
  if (after) query = query.where(sql<SqlBool>`(${sql.ref(column)}, ${sql.ref('executions.id')}) > (${after.at}, ${after.id})`);
  const found = await query
    .orderBy(column)
    .orderBy('executions.id')
    .limit(limit + 1)
    .execute();
  const rows = found.map(({ listTotalCount: _, ...row }) => row);
  // A first page with no next one is the whole list. A page past the end of a list brings no row
  // to read the counters from: countExecutions answers then.
  if (after === null && found.length <= limit) return { rows, totalCount: found.length };
  const first = found[0];
  return { rows, totalCount: counted !== null && first ? Number(first.listTotalCount ?? 0) : null };
}

/**
 * The number of executions the same filter lists: totalCount agrees with the pages. Without a
 * time condition (the lists as a screen opens them, by automation and status) the counters of
 * execution_counts answer, one row per automation, whatever the number of executions. A window
 * (startedAfter, startedBefore, updatedSince) counts the executions in it: in the organization,
 * through the index that begins with the automation (one automation's list) or the
 * organization (Organization.executions) and goes on with the time, so only the window is read.
 */
export async function countExecutions(db: Executor, source: ExecutionSource, filter: ExecutionFilter): Promise<number> {
  const counted = countersTotal(db, source, filter);
  if (counted === 0) return 0;
  if (counted !== null) {
    const result = await sql<{ count: string | number | null }>`select ${counted} as count`.execute(db);
    return Number(result.rows[0]?.count ?? 0);
  }
  const row = await filtered(db, source, filter)
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

/**
 * Every execution of each automation, from the counters: one statement for a page of cards, each
 * asking its own totalCount. Scoped by organization first, as every read; 0 for an automation
 * without runs.
 */
export async function executionTotals(db: Executor, automations: readonly { organizationId: number; automationId: string }[]): Promise<Map<string, number>> {
  const rows = await db
    .selectFrom('executionCounts')
    .where('organizationId', 'in', [...new Set(automations.map((a) => a.organizationId))])
    .where(
      'automationId',
      'in',
      automations.map((a) => a.automationId),
    )
    .select(['automationId', sql<number>`queued + running + succeeded + failed`.as('total')])
    .execute();
  return new Map(rows.map((row) => [row.automationId, Number(row.total)]));
}

const STATUS_COLUMNS = { QUEUED: 'queued', RUNNING: 'running', SUCCEEDED: 'succeeded', FAILED: 'failed' } as const satisfies Record<ExecutionStatus, string>;
const ALL_STATUSES: readonly ExecutionStatus[] = ['QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED'];

/**
 * The list's totalCount from the counters, as a scalar subquery: null when the filter has a time
 * window (the counters know none), 0 when it names no status or no automation.
 */
function countersTotal(db: Executor, source: ExecutionSource, filter: ExecutionFilter): RawBuilder<string | number | null> | 0 | null {
  if (filter.startedAfter || filter.startedBefore || filter.updatedSince) return null;
  const statuses = filter.statuses ?? ALL_STATUSES;
  // An empty list filters everything out, as in the list.
  if (statuses.length === 0 || filter.automationIds?.length === 0) return 0;
  const summed = sql.join(
    [...new Set(statuses)].map((status) => sql.ref(`executionCounts.${STATUS_COLUMNS[status]}`)),
    sql` + `,
  );
  let query = db.selectFrom('executionCounts').where('executionCounts.organizationId', '=', source.organizationId);
  query =
    'automationId' in source
      ? query.where('executionCounts.automationId', '=', source.automationId)
      : query.where('executionCounts.automationId', 'in', source.automationIds);
  if (filter.automationIds) query = query.where('executionCounts.automationId', 'in', filter.automationIds);
  return sql<string | number | null>`(${query.select(sql`sum(${summed})`.as('total'))})`;
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
  const updated = await db
    .updateTable('executions')
    .set({ ...patch, updatedAt: sql<Date>`now()` })
    .where('id', '=', id)
    .where('status', 'in', from)
    .returningAll()
    .executeTakeFirst();
  return updated ?? db.selectFrom('executions').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}
