import { sql, type Kysely } from 'kysely';

// Issue 10, whole spans (SPEC §7): nanosecond times, links, dropped counts, trace state and flags
// on every span; the resource and instrumentation scope stored once per organization and shared
// (span_sources); ids as bytes; kind and status as their proto numbers; attributes, events and
// links as json text, which PostgreSQL keeps as sent and reads back as is. The ingest keeps each
// execution's span count and token sums, so that neither a page's totalCount nor the usage
// dashboard reads every span, and traces past their retention can go without changing usage.
// Spans stored before keep their millisecond times; their resource was never kept.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('span_sources')
    .addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('organization_id', 'integer', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
    .addColumn('digest', 'bytea', (c) => c.notNull())
    .addColumn('resource', 'json', (c) => c.notNull())
    .addColumn('scope', 'json', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('span_sources_org_digest_key', ['organization_id', 'digest'])
    .execute();

  await db.schema
    .alterTable('executions')
    .addColumn('span_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('input_tokens', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('output_tokens', 'bigint', (c) => c.notNull().defaultTo(0))
    .execute();
  await sql`update executions e set span_count = t.n, input_tokens = t.i, output_tokens = t.o
    from (select execution_id, count(*) as n, coalesce(sum(input_tokens), 0) as i, coalesce(sum(output_tokens), 0) as o from spans group by execution_id) t
    where e.id = t.execution_id`.execute(db);

  await db.schema
    .createTable('spans_v2')
    .addColumn('id', 'bigint', (c) => c.notNull().generatedAlwaysAsIdentity())
    .addColumn('organization_id', 'integer', (c) => c.notNull())
    .addColumn('execution_id', 'uuid', (c) => c.notNull().references('executions.id').onDelete('cascade'))
    // No foreign key to span_sources: its check was a locking read of the source for every span
    // inserted. Instead sourceIds (src/modules/executions/spans.repository.ts) locks the sources
    // it returns FOR KEY SHARE for the ingest's transaction, and the pruning
    // (src/ingest/prune-traces.ts) deletes sources FOR UPDATE SKIP LOCKED: a source an in-flight
    // ingest uses is skipped, and after that ingest commits, its spans name the source (the
    // pruning looks for spans again once it holds its locks).
    .addColumn('source_id', 'bigint', (c) => c.notNull())
    .addColumn('trace_id', 'bytea', (c) => c.notNull().check(sql`octet_length(trace_id) = 16`))
    .addColumn('span_id', 'bytea', (c) => c.notNull().check(sql`octet_length(span_id) = 8`))
    .addColumn('parent_span_id', 'bytea', (c) => c.check(sql`octet_length(parent_span_id) = 8`))
    .addColumn('trace_state', 'text')
    .addColumn('flags', 'bigint')
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('kind', 'smallint', (c) => c.notNull().check(sql`kind between 0 and 5`))
    .addColumn('start_time_unix_nano', 'bigint', (c) => c.notNull())
    .addColumn('end_time_unix_nano', 'bigint', (c) => c.notNull())
    .addColumn('status_code', 'smallint', (c) => c.notNull().check(sql`status_code between 0 and 2`))
    .addColumn('status_message', 'text')
    .addColumn('attributes', 'json', (c) => c.notNull())
    .addColumn('dropped_attributes_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('events', 'json')
    .addColumn('dropped_events_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('links', 'json')
    .addColumn('dropped_links_count', 'integer', (c) => c.notNull().defaultTo(0))
    // The arrival order within an execution (the ingest feed), and the table's key.
    .addPrimaryKeyConstraint('spans_execution_id_pkey', ['execution_id', 'id'])
    // An exporter retries a batch it got no answer for: the same span is stored once.
    .addUniqueConstraint('spans_execution_trace_span_uq', ['execution_id', 'trace_id', 'span_id'])
    .addCheckConstraint('spans_end_after_start_check', sql`end_time_unix_nano >= start_time_unix_nano`)
    .execute();

  // Spans of before: one empty source per organization stands for the resource that was not kept.
  await sql`insert into span_sources (organization_id, digest, resource, scope)
    select organization_id, sha256('gatehouse:migrated'::bytea), '{"attributes":{},"droppedAttributesCount":0,"schemaUrl":null}'::json,
      '{"name":"","version":null,"attributes":{},"droppedAttributesCount":0,"schemaUrl":null}'::json
    from (select distinct organization_id from spans) o`.execute(db);
  await sql`insert into spans_v2 (organization_id, execution_id, source_id, trace_id, span_id, parent_span_id, name, kind,
      start_time_unix_nano, end_time_unix_nano, status_code, status_message, attributes, events)
    select s.organization_id, s.execution_id, src.id, decode(s.trace_id, 'hex'), decode(s.span_id, 'hex'), decode(s.parent_span_id, 'hex'), s.name,
      array_position(array['UNSPECIFIED','INTERNAL','SERVER','CLIENT','PRODUCER','CONSUMER'], s.kind) - 1,
      (extract(epoch from s.start_time) * 1000)::bigint * 1000000, (extract(epoch from s.end_time) * 1000)::bigint * 1000000,
      array_position(array['UNSET','OK','ERROR'], s.status_code) - 1, s.status_message, s.attributes::json,
      (select json_agg(json_build_object('name', e->>'name', 'timeUnixNano', ((extract(epoch from (e->>'time')::timestamptz) * 1000)::bigint * 1000000)::text,
        'attributes', e->'attributes', 'droppedAttributesCount', 0)) from jsonb_array_elements(s.events) e)
    from spans s join span_sources src on src.organization_id = s.organization_id and src.digest = sha256('gatehouse:migrated'::bytea)
    order by s.execution_id, s.created_at, s.start_time`.execute(db);
  await db.schema.dropTable('spans').execute();
  await db.schema.alterTable('spans_v2').renameTo('spans').execute();
  // A trace in start order, pages resuming at (start, id).
  await db.schema.createIndex('spans_execution_start_idx').on('spans').columns(['execution_id', 'start_time_unix_nano', 'id']).execute();
  // Finds the spans of a source before it is pruned; its values repeat, so the B-tree deduplicates it to little.
  await db.schema.createIndex('spans_source_idx').on('spans').column('source_id').execute();
  // Retention (src/ingest/prune-traces.ts) finds old executions in created_at order.
  await db.schema.createIndex('executions_created_idx').on('executions').column('created_at').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('executions_created_idx').execute();
  await db.schema
    .createTable('spans_v1')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('organization_id', 'integer', (c) => c.notNull())
    .addColumn('automation_id', 'uuid', (c) => c.notNull())
    .addColumn('execution_id', 'uuid', (c) => c.notNull())
    .addColumn('trace_id', 'text', (c) => c.notNull().check(sql`trace_id ~ '^[0-9a-f]{32}$'`))
    .addColumn('span_id', 'text', (c) => c.notNull().check(sql`span_id ~ '^[0-9a-f]{16}$'`))
    .addColumn('parent_span_id', 'text', (c) => c.check(sql`parent_span_id ~ '^[0-9a-f]{16}$'`))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('UNSPECIFIED', 'INTERNAL', 'SERVER', 'CLIENT', 'PRODUCER', 'CONSUMER')`))
    .addColumn('start_time', 'timestamptz(3)', (c) => c.notNull())
    .addColumn('end_time', 'timestamptz(3)', (c) => c.notNull())
    .addColumn('status_code', 'text', (c) => c.notNull().check(sql`status_code in ('UNSET', 'OK', 'ERROR')`))
    .addColumn('status_message', 'text')
    .addColumn('attributes', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('events', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('input_tokens', 'bigint', (c) => c.check(sql`input_tokens >= 0`))
    .addColumn('output_tokens', 'bigint', (c) => c.check(sql`output_tokens >= 0`))
    .addColumn('created_at', 'timestamptz(3)', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await sql`insert into spans_v1 (organization_id, automation_id, execution_id, trace_id, span_id, parent_span_id, name, kind, start_time, end_time,
      status_code, status_message, attributes, events, input_tokens, output_tokens)
    select s.organization_id, e.automation_id, s.execution_id, encode(s.trace_id, 'hex'), encode(s.span_id, 'hex'), encode(s.parent_span_id, 'hex'), s.name,
      (array['UNSPECIFIED','INTERNAL','SERVER','CLIENT','PRODUCER','CONSUMER'])[s.kind + 1], to_timestamp(s.start_time_unix_nano / 1e9), to_timestamp(s.end_time_unix_nano / 1e9),
      (array['UNSET','OK','ERROR'])[s.status_code + 1], s.status_message, s.attributes::jsonb,
      coalesce((select jsonb_agg(jsonb_build_object('name', ev->>'name', 'time', to_char(to_timestamp((ev->>'timeUnixNano')::numeric / 1e9) at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), 'attributes', ev->'attributes'))
        from json_array_elements(s.events) ev), '[]'::jsonb),
      case when jsonb_typeof(s.attributes::jsonb -> 'gen_ai.usage.input_tokens') = 'number' then (s.attributes::jsonb ->> 'gen_ai.usage.input_tokens')::bigint end,
      case when jsonb_typeof(s.attributes::jsonb -> 'gen_ai.usage.output_tokens') = 'number' then (s.attributes::jsonb ->> 'gen_ai.usage.output_tokens')::bigint end
    from spans s join executions e on e.id = s.execution_id`.execute(db);
  await db.schema.dropTable('spans').execute();
  await db.schema.dropTable('span_sources').execute();
  await db.schema.alterTable('spans_v1').renameTo('spans').execute();
  await sql`alter table spans add constraint spans_execution_fkey foreign key (organization_id, automation_id, execution_id)
    references executions (organization_id, automation_id, id) on delete cascade`.execute(db);
  await sql`alter table spans add constraint spans_execution_trace_span_key unique (execution_id, trace_id, span_id)`.execute(db);
  await db.schema.createIndex('spans_execution_start_idx').on('spans').columns(['execution_id', 'start_time', 'id']).execute();
  await db.schema.alterTable('executions').dropColumn('span_count').dropColumn('input_tokens').dropColumn('output_tokens').execute();
}
