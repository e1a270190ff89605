import { sql, type Kysely } from 'kysely';

// Runs of automations and the OpenTelemetry spans their runtimes report (issue 4, SPEC §3 `run`
// and `traces`).
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('executions')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('organization_id', 'integer', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
    .addColumn('automation_id', 'uuid', (c) => c.notNull())
    // The version the kickoff went to; null when there was none to send it to (the run is FAILED).
    .addColumn('deployment_id', 'uuid', (c) => c.references('automation_deployments.id').onDelete('set null'))
    .addColumn('inputs', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('status', 'text', (c) =>
      c
        .notNull()
        .defaultTo('QUEUED')
        .check(sql`status in ('QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED')`),
    )
    .addColumn('error', 'text')
    .addColumn('started_by_user_id', 'uuid', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('started_by_service_account_id', 'uuid', (c) => c.references('service_accounts.id').onDelete('set null'))
    // Millisecond precision, so that a pagination cursor (a JavaScript Date) names a row exactly.
    .addColumn('created_at', 'timestamptz(3)', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('finished_at', 'timestamptz')
    .addForeignKeyConstraint('executions_automation_fkey', ['organization_id', 'automation_id'], 'automations', ['organization_id', 'id'], (fk) =>
      fk.onDelete('cascade'),
    )
    // Target of the spans' foreign key: a span's organization and automation are its execution's.
    .addUniqueConstraint('executions_org_automation_id_key', ['organization_id', 'automation_id', 'id'])
    .addCheckConstraint('executions_failed_has_error_check', sql`status <> 'FAILED' or error is not null`)
    .execute();
  await db.schema.createIndex('executions_automation_created_idx').on('executions').columns(['automation_id', 'created_at', 'id']).execute();
  // The usage dashboard sums an organization's executions over a time window.
  await db.schema.createIndex('executions_org_created_idx').on('executions').columns(['organization_id', 'created_at']).execute();

  await db.schema
    .createTable('spans')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('organization_id', 'integer', (c) => c.notNull())
    .addColumn('automation_id', 'uuid', (c) => c.notNull())
    .addColumn('execution_id', 'uuid', (c) => c.notNull())
    .addColumn('trace_id', 'text', (c) => c.notNull().check(sql`trace_id ~ '^[0-9a-f]{32}$'`))
    .addColumn('span_id', 'text', (c) => c.notNull().check(sql`span_id ~ '^[0-9a-f]{16}$'`))
    .addColumn('parent_span_id', 'text', (c) => c.check(sql`parent_span_id ~ '^[0-9a-f]{16}$'`))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('UNSPECIFIED', 'INTERNAL', 'SERVER', 'CLIENT', 'PRODUCER', 'CONSUMER')`))
    // OTLP times are nanoseconds; kept to the millisecond, the precision of the pagination cursor.
    .addColumn('start_time', 'timestamptz(3)', (c) => c.notNull())
    .addColumn('end_time', 'timestamptz(3)', (c) => c.notNull())
    .addColumn('status_code', 'text', (c) => c.notNull().check(sql`status_code in ('UNSET', 'OK', 'ERROR')`))
    .addColumn('status_message', 'text')
    .addColumn('attributes', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    // Span events: what the runtime logged during the span.
    .addColumn('events', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('input_tokens', 'bigint', (c) => c.check(sql`input_tokens >= 0`))
    .addColumn('output_tokens', 'bigint', (c) => c.check(sql`output_tokens >= 0`))
    .addColumn('created_at', 'timestamptz(3)', (c) => c.notNull().defaultTo(sql`now()`))
    .addForeignKeyConstraint(
      'spans_execution_fkey',
      ['organization_id', 'automation_id', 'execution_id'],
      'executions',
      ['organization_id', 'automation_id', 'id'],
      (fk) => fk.onDelete('cascade'),
    )
    // An exporter retries a batch it got no answer for: the same span is stored once.
    .addUniqueConstraint('spans_execution_trace_span_key', ['execution_id', 'trace_id', 'span_id'])
    .execute();
  await db.schema.createIndex('spans_execution_start_idx').on('spans').columns(['execution_id', 'start_time', 'id']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('spans').execute();
  await db.schema.dropTable('executions').execute();
}
