import { sql, type Kysely } from 'kysely';

// Issue 14: deploys that race and a namespace provisioned without a transaction held open.
// - SUPERSEDED: a deploy that found a newer version of its automation already applied stops there
//   instead of overwriting it (the cluster runs what the API reports as the latest DEPLOYED).
// - provisioning_until: a lease on provisioning an organization's namespace, taken in one short
//   statement; the holder calls Kubernetes without a connection, others wait without one.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('automation_deployments').dropConstraint('automation_deployments_status_check').execute();
  await db.schema
    .alterTable('automation_deployments')
    .addCheckConstraint('automation_deployments_status_check', sql`status in ('PENDING', 'PROVISIONING', 'DEPLOYED', 'FAILED', 'SUPERSEDED')`)
    .execute();
  await db.schema.alterTable('organization_namespaces').addColumn('provisioning_until', 'timestamptz').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('organization_namespaces').dropColumn('provisioning_until').execute();
  await sql`update automation_deployments set status = 'FAILED' where status = 'SUPERSEDED'`.execute(db);
  await db.schema.alterTable('automation_deployments').dropConstraint('automation_deployments_status_check').execute();
  await db.schema
    .alterTable('automation_deployments')
    .addCheckConstraint('automation_deployments_status_check', sql`status in ('PENDING', 'PROVISIONING', 'DEPLOYED', 'FAILED')`)
    .execute();
}
