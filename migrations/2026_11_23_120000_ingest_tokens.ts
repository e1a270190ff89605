import type { Kysely } from 'kysely';

// Each deployment carries an ingest token in its Kubernetes Secret; the deployed automation
// presents it to report spans (OTLP) and raise human-in-the-loop requests. Stored as a hash only.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('automation_deployments')
    .addColumn('ingest_token_hash', 'bytea', (c) => c.unique())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('automation_deployments').dropColumn('ingest_token_hash').execute();
}
