import crypto from 'node:crypto';
import { sql } from 'kysely';
import type { Executor } from '../../db/database.js';
import type { JsonValue, SpanEvent, SpanLink, SpanSource, SpanSourceRow } from './spans.table.js';

/** A span as the ingest files it: ids in hex, times as decimal nanoseconds, JSON already encoded. */
export interface SpanInsert {
  executionId: string;
  sourceId: number;
  traceId: string;
  spanId: string;
  parentSpanId: string | null;
  traceState: string | null;
  flags: number | null;
  name: string;
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  statusCode: number;
  statusMessage: string | null;
  attributes: string;
  droppedAttributesCount: number;
  events: string | null;
  droppedEventsCount: number;
  links: string | null;
  droppedLinksCount: number;
  inputTokens: number;
  outputTokens: number;
}

/** A stored span as the API reads it: ids in hex, times as decimal nanoseconds. */
export interface SpanRecord {
  id: number;
  executionId: string;
  sourceId: number;
  traceId: string;
  spanId: string;
  parentSpanId: string | null;
  traceState: string | null;
  flags: number | null;
  name: string;
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  statusCode: number;
  statusMessage: string | null;
  attributes: Record<string, JsonValue>;
  droppedAttributesCount: number;
  events: SpanEvent[] | null;
  droppedEventsCount: number;
  links: SpanLink[] | null;
  droppedLinksCount: number;
}

/** The ids of these resource/scope pairs in the organization, stored first where new. */
export async function sourceIds(trx: Executor, organizationId: number, sources: readonly SpanSource[]): Promise<Map<SpanSource, number>> {
  const keyed = sources.map((source) => {
    const resource = JSON.stringify(source.resource);
    const scope = JSON.stringify(source.scope);
    return { source, resource, scope, digest: crypto.createHash('sha256').update(resource).update('\n').update(scope).digest('hex') };
  });
  const digests = JSON.stringify([...new Set(keyed.map((k) => k.digest))]);
  const find = () =>
    sql<{ id: number; digest: string }>`select id, encode(digest, 'hex') as digest from span_sources
      where organization_id = ${organizationId} and digest in (select decode(d, 'hex') from json_array_elements_text(${digests}::json) d)`.execute(trx);
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
  return new Map(keyed.map((k) => [k.source, found.get(k.digest) ?? -1]));
}

export interface StoredCounts {
  executionId: string;
  spans: number;
}

/**
 * Stores spans in one statement and adds what was new to each execution's span count and token
 * sums. A span already stored (same execution, trace and span id: an exporter re-sending a batch
 * it got no answer for) is skipped and counts nothing. The caller holds the executions' row locks
 * (src/ingest/file-spans.ts) and passes each span once.
 */
export async function insertSpans(trx: Executor, organizationId: number, spans: readonly SpanInsert[]): Promise<StoredCounts[]> {
  if (spans.length === 0) return [];
  // One JSON parameter, unpacked by PostgreSQL: far cheaper than 20 bind parameters a row.
  const json = '[' + spans.map((s) => spanJson(s)).join(',') + ']';
  const result = await sql<StoredCounts>`with input as (
      select * from json_to_recordset(${json}::json) as r(e uuid, s bigint, t text, i text, p text, ts text, f bigint, n text, k smallint,
        st bigint, en bigint, sc smallint, sm text, a json, da integer, ev json, de integer, l json, dl integer, it bigint, ot bigint)
    ), inserted as (
      insert into spans (organization_id, execution_id, source_id, trace_id, span_id, parent_span_id, trace_state, flags, name, kind,
        start_time_unix_nano, end_time_unix_nano, status_code, status_message, attributes, dropped_attributes_count, events, dropped_events_count,
        links, dropped_links_count)
      select ${organizationId}, e, s, decode(t, 'hex'), decode(i, 'hex'), decode(p, 'hex'), ts, f, n, k, st, en, sc, sm, a, da, ev, de, l, dl from input
      on conflict (execution_id, trace_id, span_id) do nothing
      returning execution_id, trace_id, span_id
    ), totals as (
      select x.e, count(*)::integer as n, coalesce(sum(x.it), 0) as it, coalesce(sum(x.ot), 0) as ot
      from inserted join input x on x.e = inserted.execution_id and decode(x.t, 'hex') = inserted.trace_id and decode(x.i, 'hex') = inserted.span_id
      group by x.e
    )
    update executions set span_count = span_count + totals.n, input_tokens = input_tokens + totals.it, output_tokens = output_tokens + totals.ot
    from totals where executions.id = totals.e
    returning totals.e as execution_id, totals.n as spans`.execute(trx);
  return result.rows;
}

/** One row of the insert's JSON; attributes, events and links are spliced in already encoded. */
function spanJson(s: SpanInsert): string {
  const head = JSON.stringify({
    e: s.executionId, s: s.sourceId, t: s.traceId, i: s.spanId, p: s.parentSpanId, ts: s.traceState, f: s.flags, n: s.name, k: s.kind,
    st: s.startTimeUnixNano, en: s.endTimeUnixNano, sc: s.statusCode, sm: s.statusMessage, da: s.droppedAttributesCount,
    de: s.droppedEventsCount, dl: s.droppedLinksCount, it: s.inputTokens, ot: s.outputTokens,
  });
  return `${head.slice(0, -1)},"a":${s.attributes},"ev":${s.events ?? 'null'},"l":${s.links ?? 'null'}}`;
}

/** The two orders of a trace (README "Traces"): by start time, or by arrival for live readers. */
export type SpanOrder = 'START_TIME' | 'RECEIVED';

/** Where a page resumes: after this span, in that order. */
export type SpanCursor = { order: 'START_TIME'; startTimeUnixNano: string; id: number } | { order: 'RECEIVED'; id: number };

const SPAN_COLUMNS = sql`id, execution_id, source_id, encode(trace_id, 'hex') as trace_id, encode(span_id, 'hex') as span_id,
  encode(parent_span_id, 'hex') as parent_span_id, trace_state, flags, name, kind, start_time_unix_nano::text as start_time_unix_nano,
  end_time_unix_nano::text as end_time_unix_nano, status_code, status_message, attributes, dropped_attributes_count, events,
  dropped_events_count, links, dropped_links_count`;

/**
 * A page of an execution's spans, `limit + 1` rows (the extra one says there is more). START_TIME
 * pages by (start, id), the order of a trace; RECEIVED by id, the order of arrival, in which a
 * reader that resumes from its last cursor sees every span stored since, whenever it started.
 */
export async function listSpans(db: Executor, executionId: string, order: SpanOrder, after: SpanCursor | null, limit: number): Promise<SpanRecord[]> {
  const query =
    order === 'RECEIVED'
      ? sql<SpanRecord>`select ${SPAN_COLUMNS} from spans where execution_id = ${executionId}
          and id > ${after?.id ?? 0} order by id limit ${limit + 1}`
      : sql<SpanRecord>`select ${SPAN_COLUMNS} from spans where execution_id = ${executionId}
          and (start_time_unix_nano, id) > (${after?.order === 'START_TIME' ? after.startTimeUnixNano : '0'}::bigint, ${after?.id ?? 0}::bigint)
          order by start_time_unix_nano, id limit ${limit + 1}`;
  return (await query.execute(db)).rows;
}

export async function findSpanSourcesByIds(db: Executor, ids: readonly number[]): Promise<SpanSourceRow[]> {
  return db.selectFrom('spanSources').selectAll().where('id', 'in', ids).execute();
}
