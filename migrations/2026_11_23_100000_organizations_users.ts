import { sql, type Kysely } from 'kysely';

// Organizations are the tenants (SPEC §1): an integer id, because the Kubernetes namespace name of
// an isolated organization is derived from it (`{K8S_NAMESPACE}-org-{id}`, SPEC §5).
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('organizations')
    .addColumn('id', 'integer', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('name', 'text', (c) => c.notNull().check(sql`char_length(name) between 1 and 100`))
    .addColumn('plan', 'text', (c) =>
      c
        .notNull()
        .defaultTo('FREE')
        .check(sql`plan in ('FREE', 'TEAM', 'ENTERPRISE')`),
    )
    .addColumn('billing_email', 'text')
    .addColumn('zip_deployments_enabled', 'boolean', (c) => c.notNull().defaultTo(true))
    .addColumn('git_repository_rbac', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('entity_rbac', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('default_automation_visibility', 'text', (c) =>
      c
        .notNull()
        .defaultTo('ORGANIZATION')
        .check(sql`default_automation_visibility in ('ORGANIZATION', 'PRIVATE')`),
    )
    .addColumn('default_llm_connection_id', 'uuid')
    .addColumn('default_run_timeout_seconds', 'integer', (c) =>
      c
        .notNull()
        .defaultTo(900)
        .check(sql`default_run_timeout_seconds between 1 and 86400`),
    )
    .addColumn('created_at', 'timestamptz(3)', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  // Users are global identities (SPEC §1); `auth_subject` links a JWT issuer's subject to one.
  await db.schema
    .createTable('users')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('email', 'text', (c) => c.notNull().check(sql`char_length(email) between 3 and 320`))
    .addColumn('name', 'text', (c) => c.notNull().check(sql`char_length(name) between 1 and 200`))
    .addColumn('auth_subject', 'text', (c) => c.unique())
    .addColumn('created_at', 'timestamptz(3)', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await sql`create unique index users_email_key on users (lower(email))`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('users').execute();
  await db.schema.dropTable('organizations').execute();
}
