import { sql, type Kysely } from 'kysely';

// Automations, their uploaded sources and their versioned deployments (SPEC §3, §4).
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('automations')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('organization_id', 'integer', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull().check(sql`char_length(name) between 1 and 100`))
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('visibility', 'text', (c) =>
      c
        .notNull()
        .defaultTo('ORGANIZATION')
        .check(sql`visibility in ('ORGANIZATION', 'PRIVATE')`),
    )
    .addColumn('created_by_user_id', 'uuid', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('created_at', 'timestamptz(3)', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('deleted_at', 'timestamptz')
    .addUniqueConstraint('automations_organization_id_id_key', ['organization_id', 'id'])
    .execute();
  await sql`create unique index automations_live_name_key on automations (organization_id, lower(name)) where deleted_at is null`.execute(db);
  await db.schema.createIndex('automations_org_created_idx').on('automations').columns(['organization_id', 'created_at', 'id']).execute();
  await db.schema.createIndex('entity_grants_resource_idx').on('entity_grants').columns(['resource_type', 'resource_id']).execute();

  // Zip sources, uploaded over HTTP and kept with their SHA-256.
  await db.schema
    .createTable('automation_archives')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('organization_id', 'integer', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
    .addColumn('sha256', 'text', (c) => c.notNull().check(sql`sha256 ~ '^[0-9a-f]{64}$'`))
    .addColumn('size_bytes', 'integer', (c) => c.notNull().check(sql`size_bytes > 0`))
    .addColumn('content', 'bytea', (c) => c.notNull())
    .addColumn('uploaded_by_user_id', 'uuid', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('created_at', 'timestamptz(3)', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('automation_archives_organization_id_id_key', ['organization_id', 'id'])
    .execute();

  await db.schema
    .createTable('automation_deployments')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('organization_id', 'integer', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
    .addColumn('automation_id', 'uuid', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull().check(sql`version >= 1`))
    .addColumn('source_type', 'text', (c) => c.notNull().check(sql`source_type in ('GIT', 'ZIP')`))
    .addColumn('git_repo_id', 'uuid', (c) => c.references('git_repos.id').onDelete('set null'))
    .addColumn('git_repo_full_name', 'text')
    .addColumn('git_ref', 'text')
    .addColumn('archive_id', 'uuid', (c) => c.references('automation_archives.id').onDelete('set null'))
    .addColumn('archive_sha256', 'text')
    .addColumn('env_var_ids', sql`uuid[]`, (c) => c.notNull().defaultTo(sql`'{}'::uuid[]`))
    .addColumn('llm_connection_id', 'uuid', (c) => c.references('llm_connections.id').onDelete('set null'))
    .addColumn('namespace', 'text', (c) => c.notNull())
    .addColumn('isolated', 'boolean', (c) => c.notNull())
    .addColumn('manifests', 'jsonb', (c) => c.notNull())
    .addColumn('applied_objects', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('status', 'text', (c) =>
      c
        .notNull()
        .defaultTo('PENDING')
        .check(sql`status in ('PENDING', 'PROVISIONING', 'DEPLOYED', 'FAILED')`),
    )
    .addColumn('message', 'text')
    .addColumn('retryable', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('rollback_of_version', 'integer')
    .addColumn('deployed_by_user_id', 'uuid', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('deployed_by_service_account_id', 'uuid', (c) => c.references('service_accounts.id').onDelete('set null'))
    .addColumn('created_at', 'timestamptz(3)', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('finished_at', 'timestamptz')
    .addForeignKeyConstraint('automation_deployments_automation_fkey', ['organization_id', 'automation_id'], 'automations', ['organization_id', 'id'], (fk) =>
      fk.onDelete('cascade'),
    )
    .addUniqueConstraint('automation_deployments_version_key', ['automation_id', 'version'])
    .execute();
  await db.schema
    .createIndex('automation_deployments_automation_created_idx')
    .on('automation_deployments')
    .columns(['automation_id', 'created_at', 'id'])
    .execute();

  // Instance feature flags: on globally, or for chosen organizations (the seed's Flipper semantics).
  await db.schema
    .createTable('feature_flags')
    .addColumn('name', 'text', (c) => c.primaryKey().check(sql`name ~ '^[a-z][a-z0-9_]{0,63}$'`))
    .addColumn('enabled_globally', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createTable('feature_flag_organizations')
    .addColumn('name', 'text', (c) => c.notNull().references('feature_flags.name').onDelete('cascade'))
    .addColumn('organization_id', 'integer', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
    .addPrimaryKeyConstraint('feature_flag_organizations_pkey', ['name', 'organization_id'])
    .execute();

  await db.schema
    .createTable('instance_admins')
    .addColumn('user_id', 'uuid', (c) => c.primaryKey().references('users.id').onDelete('cascade'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  // What the gateway knows of each organization's namespace: a repeat deploy into a ready
  // namespace skips the namespace and secret-copy calls.
  await db.schema
    .createTable('organization_namespaces')
    .addColumn('organization_id', 'integer', (c) => c.primaryKey().references('organizations.id').onDelete('cascade'))
    .addColumn('namespace', 'text', (c) => c.notNull())
    .addColumn('mode', 'text', (c) => c.notNull().check(sql`mode in ('AUTOMATIC', 'MANUAL', 'SHARED')`))
    .addColumn('ready_at', 'timestamptz')
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of [
    'organization_namespaces',
    'instance_admins',
    'feature_flag_organizations',
    'feature_flags',
    'automation_deployments',
    'automation_archives',
  ]) {
    await db.schema.dropTable(table).execute();
  }
  await db.schema.dropIndex('entity_grants_resource_idx').execute();
  await db.schema.dropTable('automations').execute();
}
