import { sql, type Kysely } from 'kysely';

// Human-in-the-loop requests (issue 4, SPEC §3 `human_in_the_loop`): raised by a deployed
// automation through the ingest API, answered once by a principal, the answer then forwarded to
// the automation. `execution_id` has no foreign key on purpose: executions are filed by the trace
// ingest, which may see the execution after (or never before) the request that names it.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('hitl_requests')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('organization_id', 'integer', (c) => c.notNull())
    .addColumn('automation_id', 'uuid', (c) => c.notNull())
    .addColumn('deployment_id', 'uuid', (c) => c.notNull().references('automation_deployments.id').onDelete('cascade'))
    .addColumn('execution_id', 'text')
    .addColumn('question', 'text', (c) => c.notNull().check(sql`char_length(question) between 1 and 4000`))
    .addColumn('context', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    // Where the answer goes on the automation's Service; null: the configured template's path.
    .addColumn('callback_path', 'text')
    .addColumn('status', 'text', (c) =>
      c
        .notNull()
        .defaultTo('PENDING')
        .check(sql`status in ('PENDING', 'ANSWERED', 'EXPIRED')`),
    )
    .addColumn('answer', 'jsonb')
    .addColumn('answered_by_user_id', 'uuid', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('answered_by_service_account_id', 'uuid', (c) => c.references('service_accounts.id').onDelete('set null'))
    .addColumn('answered_at', 'timestamptz')
    // Null until answered; then the outcome of the latest delivery attempt.
    .addColumn('forward_status', 'text', (c) => c.check(sql`forward_status in ('PENDING', 'DELIVERED', 'FAILED')`))
    .addColumn('forward_error', 'text')
    .addColumn('forward_attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('forward_attempted_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz(3)', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addForeignKeyConstraint('hitl_requests_automation_fkey', ['organization_id', 'automation_id'], 'automations', ['organization_id', 'id'], (fk) =>
      fk.onDelete('cascade'),
    )
    // An answered request always says what and when; who may be gone later (set null), never both.
    .addCheckConstraint(
      'hitl_requests_answered_check',
      sql`(status = 'ANSWERED') = (answer is not null and answered_at is not null and forward_status is not null)`,
    )
    .addCheckConstraint('hitl_requests_one_answerer_check', sql`answered_by_user_id is null or answered_by_service_account_id is null`)
    .execute();
  await db.schema.createIndex('hitl_requests_automation_status_idx').on('hitl_requests').columns(['automation_id', 'status', 'created_at', 'id']).execute();
  // Organization.pendingHitlRequests: the organization's open requests in queue order.
  await db.schema.createIndex('hitl_requests_org_status_idx').on('hitl_requests').columns(['organization_id', 'status', 'created_at', 'id']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('hitl_requests').execute();
}
