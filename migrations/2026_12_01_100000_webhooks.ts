import { sql, type Kysely } from 'kysely';

// Issue 11 §6, webhooks (SPEC §6 "signed webhooks for what their token may see"): endpoints an
// organization registers, the outbox of deliveries written in the transaction of their event, and
// every attempt to send one. README "Webhooks" describes the worker that reads the outbox.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('webhooks')
    // Chosen by the application: the secret's ciphertext is bound to it (AES-GCM associated data).
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('organization_id', 'integer', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
    .addColumn('url', 'text', (c) => c.notNull().check(sql`char_length(url) between 1 and 2048`))
    .addColumn('description', 'text', (c) =>
      c
        .notNull()
        .defaultTo('')
        .check(sql`char_length(description) <= 500`),
    )
    .addColumn('event_types', sql`text[]`, (c) =>
      c.notNull().check(sql`cardinality(event_types) > 0 and event_types <@ array['execution.finished', 'hitl.requested', 'deployment.finished']::text[]`),
    )
    .addColumn('secret_ciphertext', 'bytea', (c) => c.notNull())
    // Who registered it: events are filtered by what this principal may see, when they happen.
    .addColumn('registered_by_user_id', 'uuid', (c) => c.references('users.id').onDelete('cascade'))
    .addColumn('registered_by_service_account_id', 'uuid', (c) => c.references('service_accounts.id').onDelete('cascade'))
    // The scope of the API token that registered it (SPEC §6), both or neither.
    .addColumn('scope_automation_ids', sql`uuid[]`)
    .addColumn('scope_permissions', sql`text[]`)
    .addColumn('disabled_at', 'timestamptz')
    .addColumn('disabled_reason', 'text')
    // The current run of failed attempts (reset by any success): the disable rule reads these.
    .addColumn('consecutive_failures', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('failing_since', 'timestamptz')
    .addColumn('created_at', 'timestamptz(3)', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz(3)', (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint('webhooks_one_registrant_check', sql`(registered_by_user_id is null) <> (registered_by_service_account_id is null)`)
    .addCheckConstraint(
      'webhooks_scope_check',
      sql`(scope_automation_ids is null) = (scope_permissions is null)
        and (scope_permissions is null or scope_permissions <@ array['VIEW', 'RUN', 'TRACES', 'MANAGE_SETTINGS', 'HUMAN_IN_THE_LOOP']::text[])`,
    )
    .execute();
  await db.schema.createIndex('webhooks_org_created_idx').on('webhooks').columns(['organization_id', 'created_at', 'id']).execute();

  await db.schema
    .createTable('webhook_deliveries')
    // Also the `webhook-id` header: the same on every attempt and replay (Standard Webhooks).
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('webhook_id', 'uuid', (c) => c.notNull().references('webhooks.id').onDelete('cascade'))
    .addColumn('organization_id', 'integer', (c) => c.notNull())
    .addColumn('event_type', 'text', (c) => c.notNull())
    // One delivery per event and endpoint: a runtime re-sending its root span fires nothing twice.
    .addColumn('event_key', 'text', (c) => c.notNull())
    .addColumn('automation_id', 'uuid')
    // The exact body that is signed and sent, as text: jsonb would reorder its keys.
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) =>
      c
        .notNull()
        .defaultTo('PENDING')
        .check(sql`status in ('PENDING', 'DELIVERED', 'FAILED')`),
    )
    .addColumn('attempt_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'timestamptz(3)', (c) => c.notNull().defaultTo(sql`now()`))
    // Retries go on for WEBHOOK_RETRY_WINDOW_SECONDS from here: the write, or the latest replay.
    .addColumn('retry_window_started_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    // A worker's claim: until then no other replica takes the delivery; a crashed one's claim expires.
    .addColumn('locked_until', 'timestamptz')
    .addColumn('lease_token', 'uuid')
    .addColumn('last_status_code', 'integer')
    .addColumn('last_error', 'text')
    .addColumn('delivered_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz(3)', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('webhook_deliveries_event_unique', ['webhook_id', 'event_key'])
    .execute();
  await db.schema.createIndex('webhook_deliveries_webhook_created_idx').on('webhook_deliveries').columns(['webhook_id', 'created_at', 'id']).execute();
  // What the worker claims: due deliveries, oldest due first.
  await db.schema
    .createIndex('webhook_deliveries_due_idx')
    .on('webhook_deliveries')
    .columns(['next_attempt_at'])
    .where(sql.ref('status'), '=', 'PENDING')
    .execute();

  await db.schema
    .createTable('webhook_attempts')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('delivery_id', 'uuid', (c) => c.notNull().references('webhook_deliveries.id').onDelete('cascade'))
    .addColumn('attempt_number', 'integer', (c) => c.notNull())
    .addColumn('succeeded', 'boolean', (c) => c.notNull())
    .addColumn('status_code', 'integer')
    .addColumn('error', 'text')
    .addColumn('response_body', 'text')
    .addColumn('duration_ms', 'integer', (c) => c.notNull())
    // When the attempt started.
    .addColumn('created_at', 'timestamptz(3)', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('webhook_attempts_delivery_created_idx').on('webhook_attempts').columns(['delivery_id', 'created_at', 'id']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('webhook_attempts').execute();
  await db.schema.dropTable('webhook_deliveries').execute();
  await db.schema.dropTable('webhooks').execute();
}
