import { sql, type Kysely } from 'kysely';

// Issue 16 §2: every predicate on grants has an index that serves it. Grants to a role or a
// service account had none (only those to a user, by organization): the request's authorization
// statement and the automation lists ask "a grant on this automation, or in this organization, to
// this role or service account", and read every tenant's grants to answer it. Partial: most rows
// name one kind of principal.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create index entity_grants_role_idx on entity_grants (role_id, resource_type, resource_id) where role_id is not null`.execute(db);
  await sql`create index entity_grants_service_account_idx on entity_grants (service_account_id, resource_type, resource_id) where service_account_id is not null`.execute(
    db,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index entity_grants_service_account_idx`.execute(db);
  await sql`drop index entity_grants_role_idx`.execute(db);
}
