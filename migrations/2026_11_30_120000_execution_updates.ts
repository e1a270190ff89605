import { sql, type Kysely } from 'kysely';

// Issue 11 point 5, a trace API for integrations: `updated_at` moves whenever a run changes (its
// status, or spans arriving), so that a partner polls "what changed since" rather than rereading
// every run; served per organization and per automation.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('executions')
    .addColumn('updated_at', sql`timestamptz(3)`, (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await sql`update executions set updated_at = coalesce(finished_at, created_at)`.execute(db);
  await db.schema.createIndex('executions_org_updated_idx').on('executions').columns(['organization_id', 'updated_at', 'id']).execute();
  await db.schema.createIndex('executions_automation_updated_idx').on('executions').columns(['automation_id', 'updated_at', 'id']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('executions').dropColumn('updated_at').execute();
}
