import { sql, type SqlBool } from 'kysely';
import type { Executor } from '../../db/database.js';
import type { Page } from '../../graphql/pagination.js';
import type { NewSpan, SpanRow } from './executions.table.js';

// Rows per INSERT: far below PostgreSQL's 65,535 bind parameters at 18 columns a row.
const INSERT_CHUNK = 500;

/**
 * Stores spans; one already stored (same execution, trace and span id: an exporter re-sending a
 * batch it got no answer for) is skipped. Callers run this in the ingest's transaction.
 */
export async function insertSpans(trx: Executor, rows: readonly NewSpan[]): Promise<number> {
  let inserted = 0;
  for (let start = 0; start < rows.length; start += INSERT_CHUNK) {
    const result = await trx
      .insertInto('spans')
      .values(rows.slice(start, start + INSERT_CHUNK))
      .onConflict((oc) => oc.columns(['executionId', 'traceId', 'spanId']).doNothing())
      .executeTakeFirst();
    inserted += Number(result.numInsertedOrUpdatedRows ?? 0);
  }
  return inserted;
}

/**
 * A trace reads in time order: spans page by (start_time, id), not by when they were received.
 * The cursor format is the shared one (src/graphql/pagination.ts) with start_time in the date's
 * place, which is why start_time is stored to the millisecond.
 */
export async function listSpans(db: Executor, executionId: string, page: Page): Promise<SpanRow[]> {
  const after = page.after;
  return db
    .selectFrom('spans')
    .selectAll()
    .where('executionId', '=', executionId)
    .where(after ? sql<SqlBool>`(${sql.ref('spans.startTime')}, ${sql.ref('spans.id')}) > (${after.createdAt}, ${after.id})` : sql<SqlBool>`true`)
    .orderBy('startTime')
    .orderBy('id')
    .limit(page.limit + 1)
    .execute();
}

export async function countSpans(db: Executor, executionId: string): Promise<number> {
  const row = await db.selectFrom('spans').select((eb) => eb.fn.countAll<number>().as('count')).where('executionId', '=', executionId).executeTakeFirstOrThrow();
  return Number(row.count);
}
