import { sql, type Kysely } from 'kysely';

// Env vars, LLM connections and Git repositories: the resources with entity access lists
// (SPEC §3 "Entity RBAC for other resources"). Secret columns hold AES-256-GCM ciphertext only.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('env_vars')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('organization_id', 'integer', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull().check(sql`name ~ '^[A-Za-z_][A-Za-z0-9_]{0,127}$'`))
    .addColumn('value_ciphertext', 'bytea', (c) => c.notNull())
    .addColumn('access_restricted', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('created_at', 'timestamptz(3)', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('env_vars_organization_name_key', ['organization_id', 'name'])
    .execute();
  await db.schema.createIndex('env_vars_org_created_idx').on('env_vars').columns(['organization_id', 'created_at', 'id']).execute();

  await db.schema
    .createTable('llm_connections')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('organization_id', 'integer', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull().check(sql`char_length(name) between 1 and 100`))
    .addColumn('provider', 'text', (c) => c.notNull().check(sql`provider in ('OPENAI', 'ANTHROPIC', 'AZURE_OPENAI', 'GOOGLE', 'BEDROCK', 'OLLAMA', 'OTHER')`))
    .addColumn('base_url', 'text')
    .addColumn('default_model', 'text')
    .addColumn('api_key_ciphertext', 'bytea', (c) => c.notNull())
    .addColumn('api_key_hint', 'text', (c) => c.notNull())
    .addColumn('access_restricted', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('created_at', 'timestamptz(3)', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await sql`create unique index llm_connections_name_key on llm_connections (organization_id, lower(name))`.execute(db);
  await db.schema.createIndex('llm_connections_org_created_idx').on('llm_connections').columns(['organization_id', 'created_at', 'id']).execute();
  await sql`alter table organizations add constraint organizations_default_llm_connection_fkey
    foreign key (default_llm_connection_id) references llm_connections (id) on delete set null`.execute(db);

  await db.schema
    .createTable('git_repos')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('organization_id', 'integer', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
    .addColumn('provider', 'text', (c) =>
      c
        .notNull()
        .defaultTo('GITHUB')
        .check(sql`provider in ('GITHUB', 'GITLAB', 'BITBUCKET')`),
    )
    .addColumn('full_name', 'text', (c) => c.notNull().check(sql`full_name ~ '^[A-Za-z0-9_.-]{1,100}/[A-Za-z0-9_.-]{1,100}$'`))
    .addColumn('default_branch', 'text', (c) => c.notNull().defaultTo('main'))
    .addColumn('created_at', 'timestamptz(3)', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await sql`create unique index git_repos_name_key on git_repos (organization_id, provider, lower(full_name))`.execute(db);
  await db.schema.createIndex('git_repos_org_created_idx').on('git_repos').columns(['organization_id', 'created_at', 'id']).execute();

  // One access-list table for every resource kind, so that the visibility predicate is written
  // once. Principals reference their organization through composite keys.
  await db.schema
    .createTable('entity_grants')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('organization_id', 'integer', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
    .addColumn('resource_type', 'text', (c) => c.notNull().check(sql`resource_type in ('ENV_VAR', 'LLM_CONNECTION', 'GIT_REPO', 'AUTOMATION')`))
    .addColumn('resource_id', 'uuid', (c) => c.notNull())
    .addColumn('user_id', 'uuid', (c) => c.references('users.id').onDelete('cascade'))
    .addColumn('role_id', 'uuid')
    .addColumn('service_account_id', 'uuid')
    .addColumn('permissions', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'::text[]`))
    .addColumn('created_at', 'timestamptz(3)', (c) => c.notNull().defaultTo(sql`now()`))
    .addForeignKeyConstraint('entity_grants_role_fkey', ['organization_id', 'role_id'], 'roles', ['organization_id', 'id'], (fk) => fk.onDelete('cascade'))
    .addForeignKeyConstraint(
      'entity_grants_service_account_fkey',
      ['organization_id', 'service_account_id'],
      'service_accounts',
      ['organization_id', 'id'],
      (fk) => fk.onDelete('cascade'),
    )
    .addCheckConstraint('entity_grants_one_principal', sql`num_nonnulls(user_id, role_id, service_account_id) = 1`)
    .execute();
  await sql`create unique index entity_grants_principal_key on entity_grants
    (resource_type, resource_id, user_id, role_id, service_account_id) nulls not distinct`.execute(db);
  await db.schema.createIndex('entity_grants_user_idx').on('entity_grants').columns(['organization_id', 'user_id']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('entity_grants').execute();
  await db.schema.dropTable('git_repos').execute();
  await sql`alter table organizations drop constraint organizations_default_llm_connection_fkey`.execute(db);
  await db.schema.dropTable('llm_connections').execute();
  await db.schema.dropTable('env_vars').execute();
}
