import { sql } from 'kysely';
import type { Logger } from 'pino';
import type { Db } from '../db/database.js';
import { schedulePeriodic, type Periodic } from '../periodic.js';

/**
 * Trace retention (SPEC §7, TRACE_RETENTION_DAYS): the spans of executions started before the
 * cutoff are deleted, then the resources and scopes no span names any more (pruneSources). Each
 * batch is its own short transaction that locks only the rows it deletes (SKIP LOCKED: replicas
 * pruning at once share the work instead of waiting on each other), so ingest and reads go on meanwhile. The
 * executions stay, with their token sums, so usage does not change; their span counts follow, in
 * the statement that deletes the spans.
 */
export interface PruneResult {
  spans: number;
  sources: number;
  batches: number;
}

export interface PruneOptions {
  retentionDays: number;
  batchSize?: number;
  now?: Date;
  /** Called after each batch, for progress on a large first run. */
  onBatch?: (done: PruneResult) => void;
}

const DEFAULT_BATCH = 2_000;

export async function pruneTraces(db: Db, options: PruneOptions): Promise<PruneResult> {
  const cutoff = new Date((options.now ?? new Date()).getTime() - options.retentionDays * 86_400_000);
  const batch = options.batchSize ?? DEFAULT_BATCH;
  const done: PruneResult = { spans: 0, sources: 0, batches: 0 };
  for (;;) {
    const result = await sql<{ n: number }>`with doomed as (
        select s.execution_id, s.id from executions e join spans s on s.execution_id = e.id
        where e.created_at < ${cutoff} limit ${batch} for update of s skip locked
      ), gone as (
        delete from spans using doomed where spans.execution_id = doomed.execution_id and spans.id = doomed.id returning spans.execution_id, spans.status_code
      ), counted as (
        select execution_id, count(*)::integer as n, count(*) filter (where status_code = 2)::integer as errors from gone group by execution_id
      )
      update executions set span_count = greatest(span_count - counted.n, 0), error_span_count = greatest(error_span_count - counted.errors, 0)
      from counted where executions.id = counted.execution_id
      returning counted.n`.execute(db);
    const spans = result.rows.reduce((sum, row) => sum + row.n, 0);
    if (spans === 0) break;
    done.spans += spans;
    done.batches++;
    options.onBatch?.({ ...done });
  }
  for (;;) {
    const { candidates, deleted } = await pruneSources(db, cutoff, batch);
    if (candidates === 0) break;
    if (deleted === 0) continue;
    done.sources += deleted;
    done.batches++;
    options.onBatch?.({ ...done });
  }
  return done;
}

/**
 * One batch of sources past the cutoff that no span names. Spans name their source without a
 * foreign key (migrations/2026_11_30_100000_whole_spans.ts); an ingest holds the sources it files
 * spans under FOR KEY SHARE until it commits (sourceIds, src/modules/executions/spans.repository.ts).
 * So: lock the candidates FOR UPDATE SKIP LOCKED (a source an ingest in flight uses is skipped),
 * then, in a second statement whose snapshot is newer than those locks, delete those that still no
 * span names: an ingest that used one and committed before the lock was taken is seen by then,
 * and one that comes after waits for this transaction and finds the source gone (and stores it again).
 */
async function pruneSources(db: Db, cutoff: Date, batch: number): Promise<{ candidates: number; deleted: number }> {
  return db.transaction().execute(async (trx) => {
    const locked = await sql<{ id: string }>`select id::text as id from span_sources src where src.created_at < ${cutoff}
      and not exists (select 1 from spans where spans.source_id = src.id)
      limit ${batch} for update skip locked`.execute(trx);
    if (locked.rows.length === 0) return { candidates: 0, deleted: 0 };
    const result = await sql`delete from span_sources src where src.id = any(string_to_array(${locked.rows.map((row) => row.id).join(',')}, ',')::bigint[])
      and not exists (select 1 from spans where spans.source_id = src.id)`.execute(trx);
    return { candidates: locked.rows.length, deleted: Number(result.numAffectedRows ?? 0) };
  });
}

/** Prunes every `intervalMinutes` while the server runs (and once a minute after it starts). */
export function schedulePruning(db: Db, retentionDays: number, intervalMinutes: number, logger: Logger): Periodic {
  if (retentionDays === 0) return { stop: async () => undefined };
  return schedulePeriodic(
    intervalMinutes,
    async () => {
      const result = await pruneTraces(db, { retentionDays });
      if (result.spans > 0 || result.sources > 0) logger.info({ ...result, retentionDays }, 'traces pruned');
    },
    logger,
    'trace pruning failed; the next run tries again',
  );
}
