import crypto from 'node:crypto';
import { sql, type RawBuilder, type SqlBool } from 'kysely';
import type { Executor } from '../../db/database.js';
import type { ExecutionRow } from './executions.table.js';
import { INPUT_TOKENS, OUTPUT_TOKENS } from './span-attributes.js';
import type { SpanFields, SpanRecord, SpanSource, SpanSourceRow } from './spans.table.js';

/** A span for insertSpans, its JSON already encoded (the ingest itself builds SpanRows). */
export interface SpanInsert extends SpanFields {
  attributes: string;
  events: string | null;
  links: string | null;
  inputTokens: number;
  outputTokens: number;
}

/**
 * The ids of these resource/scope pairs in the organization, stored first where new. Each row
 * returned is locked FOR KEY SHARE until the caller's transaction ends: spans name their source
 * without a foreign key (migrations/2026_11_30_100000_whole_spans.ts), and the lock is what keeps
 * the pruning (src/ingest/prune-traces.ts) from deleting a source that spans about to be stored
 * name. Call it in the transaction that stores them.
 */
export async function sourceIds(trx: Executor, organizationId: number, sources: readonly SpanSource[]): Promise<Map<SpanSource, number>> {
  if (sources.length === 0) return new Map();
  const keyed = sources.map((source) => {
    const resource = JSON.stringify(source.resource);
    const scope = JSON.stringify(source.scope);
    return { source, resource, scope, digest: crypto.createHash('sha256').update(resource).update('\n').update(scope).digest('hex') };
  });
  const digests = JSON.stringify([...new Set(keyed.map((k) => k.digest))]);
  // A source being pruned is waited for, and then not found (it is gone): it is stored again.
  const find = () =>
    sql<{ id: number; digest: string }>`select id, encode(digest, 'hex') as digest from span_sources
      where organization_id = ${organizationId} and digest in (select decode(d, 'hex') from json_array_elements_text(${digests}::json) d)
      for key share of span_sources`.execute(trx);
  const found = new Map((await find()).rows.map((row) => [row.digest, row.id]));
  const missing = keyed.filter((k) => !found.has(k.digest));
  if (missing.length > 0) {
    const rows = JSON.stringify(missing.map((k) => ({ d: k.digest, r: JSON.parse(k.resource) as unknown, s: JSON.parse(k.scope) as unknown })));
    // Two exports of a new resource at once: the second's insert does nothing, and the read after finds the first's.
    await sql`insert into span_sources (organization_id, digest, resource, scope)
      select ${organizationId}, decode(d, 'hex'), r, s from json_to_recordset(${rows}::json) as x(d text, r json, s json)
      on conflict (organization_id, digest) do nothing`.execute(trx);
    for (const row of (await find()).rows) found.set(row.digest, row.id);
  }
  return new Map(
    keyed.map((k) => {
      const id = found.get(k.digest);
      // Only if the source was inserted by another export and pruned before this read: the exporter retries.
      if (id === undefined) throw new Error(`span source ${k.digest} could not be stored`);
      return [k.source, id];
    }),
  );
}

export interface StoredCounts {
  executionId: string;
  spans: number;
}

/** What a span's insert row takes from the span: ids in hex, times in nanoseconds, numbers. */
export interface SpanRowFields {
  traceId: string;
  spanId: string;
  parentSpanId: string | null;
  traceState: string | null;
  flags: number | null;
  kind: number;
  startTimeUnixNano: bigint | string;
  endTimeUnixNano: bigint | string;
  statusCode: number;
  droppedAttributesCount: number;
  droppedEventsCount: number;
  droppedLinksCount: number;
}

/**
 * One span's row of insertSpanRows, as two JSON objects: `head` (spanRowHead) and `body`
 * (spanRowBody), each one string, run together only in the statement's parameter (spanRowsJson).
 */
export interface SpanRow {
  head: string;
  body: string;
}

/**
 * The head of a span's row: its execution (a UUID), its source as a position (from 1) in
 * insertSpanRows' `sourceIds`, hex ids, times in decimal, whole numbers. Those need no escaping,
 * so the JSON is put together directly (twice as fast as JSON.stringify of an object); only the
 * trace state, any text, is quoted by JSON.stringify.
 */
export function spanRowHead(executionId: string, source: number, span: SpanRowFields, inputTokens: number, outputTokens: number): string {
  const parent = span.parentSpanId === null ? 'null' : `"${span.parentSpanId}"`;
  const traceState = span.traceState === null ? 'null' : JSON.stringify(span.traceState);
  return (
    `{"e":"${executionId}","s":${source},"t":"${span.traceId}","i":"${span.spanId}","p":${parent},"ts":${traceState},"f":${span.flags},"k":${span.kind},` +
    `"st":"${span.startTimeUnixNano}","en":"${span.endTimeUnixNano}","sc":${span.statusCode},"da":${span.droppedAttributesCount},` +
    `"de":${span.droppedEventsCount},"dl":${span.droppedLinksCount},"it":${inputTokens},"ot":${outputTokens}}`
  );
}

/** The body of a span's row: its text. Events and links are null when there are none. */
export function spanRowBody(
  name: string,
  statusMessage: string | null,
  attributes: unknown,
  events: readonly unknown[] | null,
  links: readonly unknown[] | null,
): string {
  return JSON.stringify({ n: name, sm: statusMessage, a: attributes, ev: events, l: links });
}

// The body's keys and punctuation, `{"n":,"sm":,"a":,"ev":,"l":}`, and a null's four bytes.
const BODY_FRAME_BYTES = 28;
const NULL_BYTES = 4;

/**
 * The UTF-8 bytes of a body's name, status message, attributes, events and links, each as the JSON
 * a response carries (what the read bound of README "Traces" counts); a null one counts nothing.
 */
export function spanRowTextBytes(body: string, statusMessage: string | null, events: readonly unknown[] | null, links: readonly unknown[] | null): number {
  const nulls = (statusMessage === null ? 1 : 0) + (events === null ? 1 : 0) + (links === null ? 1 : 0);
  return Buffer.byteLength(body) - BODY_FRAME_BYTES - nulls * NULL_BYTES;
}

/**
 * Stores spans and adds what was new to each execution's span count and token sums; see
 * insertSpanRows. For callers that have the span's JSON already encoded (tests, fixtures).
 */
export async function insertSpans(trx: Executor, organizationId: number, spans: readonly SpanInsert[]): Promise<StoredCounts[]> {
  const sources = [...new Set(spans.map((s) => s.sourceId))];
  const rows = spans.map((s) => ({
    head: spanRowHead(s.executionId, sources.indexOf(s.sourceId) + 1, s, s.inputTokens, s.outputTokens),
    body: `{"n":${JSON.stringify(s.name)},"sm":${JSON.stringify(s.statusMessage)},"a":${s.attributes},"ev":${s.events ?? 'null'},"l":${s.links ?? 'null'}}`,
  }));
  return insertSpanRows(trx, organizationId, rows, sources);
}

/** Rows as insertSpanRows' parameter, a JSON array: each row its head and body run together, `{head…,…body}`. */
export function spanRowsJson(rows: readonly SpanRow[]): string {
  const parts = new Array<string>(rows.length * 2);
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r] as SpanRow;
    parts[2 * r] = row.head.slice(0, -1);
    parts[2 * r + 1] = row.body.slice(1);
  }
  return `[${parts.join(',')}]`;
}

/**
 * Stores spans in one statement and adds what was new to each execution's span counts (all, and
 * those with status ERROR) and token sums. A span already stored (same execution, trace and span
 * id: an exporter re-sending a batch it got no answer for) is skipped and counts nothing. The
 * caller holds the executions' row locks (src/ingest/file-spans.ts) and the sources' (sourceIds),
 * and passes each span once.
 */
export async function insertSpanRows(trx: Executor, organizationId: number, rows: readonly SpanRow[], sourceIds: readonly number[]): Promise<StoredCounts[]> {
  if (rows.length === 0) return [];
  // One JSON parameter, unpacked by PostgreSQL: far cheaper than 20 bind parameters a row (and,
  // measured, than unnest of one array per column, on PostgreSQL as on PGlite). A row's source
  // is its position `s` in `sourceIds`, one array the planner makes a constant.
  const json = spanRowsJson(rows);
  const result = await sql<StoredCounts>`with input as (
      select * from json_to_recordset(${json}::json) as r(e uuid, s integer, t text, i text, p text, ts text, f bigint, n text, k smallint,
        st bigint, en bigint, sc smallint, sm text, a json, da integer, ev json, de integer, l json, dl integer, it bigint, ot bigint)
    ), inserted as (
      insert into spans (organization_id, execution_id, source_id, trace_id, span_id, parent_span_id, trace_state, flags, name, kind,
        start_time_unix_nano, end_time_unix_nano, status_code, status_message, attributes, dropped_attributes_count, events, dropped_events_count,
        links, dropped_links_count)
      select ${organizationId}, e, (string_to_array(${sourceIds.join(',')}, ',')::bigint[])[s], decode(t, 'hex'), decode(i, 'hex'), decode(p, 'hex'),
        ts, f, n, k, st, en, sc, sm, a, da, ev, de, l, dl from input
      on conflict (execution_id, trace_id, span_id) do nothing
      returning execution_id, trace_id, span_id
    ), totals as (
      select x.e, count(*)::integer as n, count(*) filter (where x.sc = 2)::integer as errors, coalesce(sum(x.it), 0) as it, coalesce(sum(x.ot), 0) as ot
      from inserted join input x on x.e = inserted.execution_id and decode(x.t, 'hex') = inserted.trace_id and decode(x.i, 'hex') = inserted.span_id
      group by x.e
    )
    update executions set span_count = span_count + totals.n, error_span_count = error_span_count + totals.errors,
      input_tokens = input_tokens + totals.it, output_tokens = output_tokens + totals.ot, updated_at = now()
    from totals where executions.id = totals.e
    returning totals.e as execution_id, totals.n as spans`.execute(trx);
  return result.rows;
}

/** The two orders of a trace (README "Traces"): by start time, or by arrival for live readers. */
export type SpanOrder = 'START_TIME' | 'RECEIVED';

/** Where a page resumes: after this span, in that order. */
export type SpanCursor = { order: 'START_TIME'; startTimeUnixNano: string; id: number } | { order: 'RECEIVED'; id: number };

const SPAN_COLUMNS = sql`id, execution_id, source_id, encode(trace_id, 'hex') as trace_id, encode(span_id, 'hex') as span_id,
  encode(parent_span_id, 'hex') as parent_span_id, trace_state, flags, name, kind, start_time_unix_nano::text as start_time_unix_nano,
  end_time_unix_nano::text as end_time_unix_nano, status_code, status_message, dropped_attributes_count, dropped_events_count, dropped_links_count`;

/**
 * The large values of a span a page reads: only those the request selects. A span's attributes
 * may be OTLP_SPAN_MAX_BYTES, and a page of them read for the token counts alone would be
 * megabytes held for nothing; `tokens` reads just the two token count attributes.
 */
export interface SpanColumns {
  attributes: boolean;
  events: boolean;
  links: boolean;
  tokens: boolean;
}

export const ALL_SPAN_COLUMNS: SpanColumns = { attributes: true, events: true, links: true, tokens: true };

function largeColumns(columns: SpanColumns): RawBuilder<unknown> {
  const read = [
    columns.attributes ? sql`attributes` : null,
    columns.events ? sql`events` : null,
    columns.links ? sql`links` : null,
    // With the attributes read, the token counts are taken from them: each `->` parses the json again.
    columns.tokens && !columns.attributes ? sql`attributes -> ${INPUT_TOKENS} as input_tokens, attributes -> ${OUTPUT_TOKENS} as output_tokens` : null,
  ].filter((column) => column !== null);
  return read.length === 0 ? sql`` : sql`, ${sql.join(read, sql`, `)}`;
}

/** The execution whose spans are read: by its organization first, then its id. */
export type SpansOf = Pick<ExecutionRow, 'organizationId' | 'id'>;

/**
 * A page of an execution's spans, `limit + 1` rows (the extra one says there is more). START_TIME
 * pages by (start, id), the order of a trace; RECEIVED by id, the order of arrival, in which a
 * reader that resumes from its last cursor sees every span stored since, whenever it started.
 */
export async function listSpans(
  db: Executor,
  of: SpansOf,
  order: SpanOrder,
  after: SpanCursor | null,
  limit: number,
  filter: SpanFilter = {},
  columns: SpanColumns = ALL_SPAN_COLUMNS,
): Promise<SpanRecord[]> {
  const where = sql<SqlBool>`spans.organization_id = ${of.organizationId} and spans.execution_id = ${of.id} and ${spanFilter(filter)}`;
  // The order names the table's columns: a bare `start_time_unix_nano` in ORDER BY would be the
  // output column of that name, the time as text, which no index serves (every span of the
  // execution was read and sorted for each page: 110 ms at 100,000 spans, 0.1 ms by the index).
  const query =
    order === 'RECEIVED'
      ? sql<SpanRecord>`select ${SPAN_COLUMNS}${largeColumns(columns)} from spans where ${where}
          and spans.id > ${after?.id ?? 0} order by spans.id limit ${limit + 1}`
      : sql<SpanRecord>`select ${SPAN_COLUMNS}${largeColumns(columns)} from spans where ${where}
          and (spans.start_time_unix_nano, spans.id) > (${after?.order === 'START_TIME' ? after.startTimeUnixNano : '0'}::bigint, ${after?.id ?? 0}::bigint)
          order by spans.start_time_unix_nano, spans.id limit ${limit + 1}`;
  return (await query.execute(db)).rows;
}

/** Conditions of Execution.spans(filter:); each given one must hold. Times in nanoseconds, half-open. */
export interface SpanFilter {
  name?: string | null;
  errorsOnly?: boolean | null;
  traceId?: string | null;
  startedAfterUnixNano?: string | null;
  startedBeforeUnixNano?: string | null;
}

export function isFiltered(filter: SpanFilter): boolean {
  return Object.values(filter).some((value) => value !== null && value !== undefined && value !== false);
}

function spanFilter(filter: SpanFilter): RawBuilder<SqlBool> {
  const conditions: RawBuilder<SqlBool>[] = [sql<SqlBool>`true`];
  if (filter.name != null) conditions.push(sql<SqlBool>`name = ${filter.name}`);
  if (filter.errorsOnly) conditions.push(sql<SqlBool>`status_code = 2`);
  if (filter.traceId != null) conditions.push(sql<SqlBool>`trace_id = decode(${filter.traceId}, 'hex')`);
  if (filter.startedAfterUnixNano != null) conditions.push(sql<SqlBool>`start_time_unix_nano >= ${filter.startedAfterUnixNano}::bigint`);
  if (filter.startedBeforeUnixNano != null) conditions.push(sql<SqlBool>`start_time_unix_nano < ${filter.startedBeforeUnixNano}::bigint`);
  return sql<SqlBool>`(${sql.join(conditions, sql` and `)})`;
}

/** An execution with its own counters, kept by the ingest and the pruning (insertSpanRows, src/ingest/prune-traces.ts). */
export type SpanCounters = Pick<ExecutionRow, 'organizationId' | 'id' | 'spanCount' | 'errorSpanCount'>;

/**
 * The totalCount of Execution.spans with this filter. Without one, or with errorsOnly alone, the
 * execution's counters answer (no span is read). Any other filter counts the spans that match,
 * in the organization and execution first: a scan of the execution's spans only, through an
 * index whose first column is execution_id (spans_execution_trace_span_uq for a traceId, the
 * start time index for a time window, either for a name).
 */
export async function countSpans(db: Executor, execution: SpanCounters, filter: SpanFilter): Promise<number> {
  if (!isFiltered(filter)) return execution.spanCount;
  if (!isFiltered({ ...filter, errorsOnly: null })) return execution.errorSpanCount;
  const result = await sql<{ count: number }>`select count(*)::integer as count from spans
    where organization_id = ${execution.organizationId} and execution_id = ${execution.id} and ${spanFilter(filter)}`.execute(db);
  return result.rows[0]?.count ?? 0;
}

export async function findSpanSourcesByIds(db: Executor, ids: readonly number[]): Promise<SpanSourceRow[]> {
  return db.selectFrom('spanSources').selectAll().where('id', 'in', ids).execute();
}
