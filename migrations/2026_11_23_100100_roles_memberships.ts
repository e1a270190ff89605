import { sql, type Kysely } from 'kysely';

// Levels each feature may take (SPEC §2 "allowed levels"), enforced here as well as in the API so
// that no code path can store `environment_variables = READ`.
const FULL = `('MANAGE', 'READ', 'NO_ACCESS')`;
const BINARY = `('MANAGE', 'NO_ACCESS')`;
const FEATURES: ReadonlyArray<readonly [string, string]> = [
  ['usage_dashboards', FULL],
  ['crews_dashboards', FULL],
  ['invitations', FULL],
  ['training_ui', FULL],
  ['tools', FULL],
  ['agents', FULL],
  ['environment_variables', BINARY],
  ['llm_connections', BINARY],
  ['default_settings', BINARY],
  ['organization_settings', BINARY],
  ['studio_projects', BINARY],
];

export async function up(db: Kysely<unknown>): Promise<void> {
  let roles = db.schema
    .createTable('roles')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('organization_id', 'integer', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull().check(sql`char_length(name) between 1 and 64`))
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('OWNER', 'MEMBER', 'CUSTOM')`))
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('template', 'text', (c) => c.check(sql`template in ('DEVELOPER', 'VIEWER', 'OPS')`));
  for (const [feature, allowed] of FEATURES) {
    roles = roles.addColumn(feature, 'text', (c) => c.notNull().check(sql.raw(`${feature} in ${allowed}`)));
  }
  await roles
    .addColumn('created_at', 'timestamptz(3)', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    // Composite key target: a reference to a role carries its organization, so a row of one
    // tenant can never point at another tenant's role.
    .addUniqueConstraint('roles_organization_id_id_key', ['organization_id', 'id'])
    .execute();
  await sql`create unique index roles_organization_name_key on roles (organization_id, lower(name))`.execute(db);
  await sql`create unique index roles_one_predefined_per_kind on roles (organization_id, kind) where kind <> 'CUSTOM'`.execute(db);

  await db.schema
    .createTable('memberships')
    .addColumn('organization_id', 'integer', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
    .addColumn('user_id', 'uuid', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('role_id', 'uuid', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz(3)', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('memberships_pkey', ['organization_id', 'user_id'])
    .addForeignKeyConstraint('memberships_role_fkey', ['organization_id', 'role_id'], 'roles', ['organization_id', 'id'])
    .execute();
  await db.schema.createIndex('memberships_user_id_idx').on('memberships').column('user_id').execute();
  await db.schema.createIndex('memberships_role_idx').on('memberships').columns(['organization_id', 'role_id']).execute();

  await db.schema
    .createTable('invitations')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('organization_id', 'integer', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
    .addColumn('email', 'text', (c) => c.notNull().check(sql`char_length(email) between 3 and 320`))
    .addColumn('role_id', 'uuid', (c) => c.notNull())
    .addColumn('invited_by_user_id', 'uuid', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('status', 'text', (c) =>
      c
        .notNull()
        .defaultTo('PENDING')
        .check(sql`status in ('PENDING', 'ACCEPTED', 'REVOKED')`),
    )
    .addColumn('created_at', 'timestamptz(3)', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addColumn('responded_at', 'timestamptz')
    .addForeignKeyConstraint('invitations_role_fkey', ['organization_id', 'role_id'], 'roles', ['organization_id', 'id'], (fk) => fk.onDelete('cascade'))
    .execute();
  await sql`create unique index invitations_one_pending_per_email on invitations (organization_id, lower(email)) where status = 'PENDING'`.execute(db);
  await sql`create index invitations_pending_email_idx on invitations (lower(email)) where status = 'PENDING'`.execute(db);
  await db.schema.createIndex('invitations_org_created_idx').on('invitations').columns(['organization_id', 'created_at', 'id']).execute();

  await db.schema
    .createTable('service_accounts')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('organization_id', 'integer', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull().check(sql`char_length(name) between 1 and 100`))
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('role_id', 'uuid', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz(3)', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('disabled_at', 'timestamptz')
    .addUniqueConstraint('service_accounts_organization_id_id_key', ['organization_id', 'id'])
    .addForeignKeyConstraint('service_accounts_role_fkey', ['organization_id', 'role_id'], 'roles', ['organization_id', 'id'])
    .execute();
  await sql`create unique index service_accounts_name_key on service_accounts (organization_id, lower(name))`.execute(db);
  await db.schema.createIndex('service_accounts_org_created_idx').on('service_accounts').columns(['organization_id', 'created_at', 'id']).execute();

  // Tokens are stored only as a SHA-256 hash of a 256-bit random secret (SPEC §1): the secret is
  // shown once, and a database leak does not leak a usable token.
  await db.schema
    .createTable('api_tokens')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('organization_id', 'integer', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
    .addColumn('user_id', 'uuid', (c) => c.references('users.id').onDelete('cascade'))
    .addColumn('service_account_id', 'uuid')
    .addColumn('name', 'text', (c) => c.notNull().check(sql`char_length(name) between 1 and 100`))
    .addColumn('token_hash', 'bytea', (c) => c.notNull().unique())
    .addColumn('token_prefix', 'text', (c) => c.notNull())
    .addColumn('created_by_user_id', 'uuid', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('created_at', 'timestamptz(3)', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('expires_at', 'timestamptz')
    .addColumn('revoked_at', 'timestamptz')
    .addColumn('last_used_at', 'timestamptz')
    .addForeignKeyConstraint(
      'api_tokens_service_account_fkey',
      ['organization_id', 'service_account_id'],
      'service_accounts',
      ['organization_id', 'id'],
      (fk) => fk.onDelete('cascade'),
    )
    .addCheckConstraint('api_tokens_one_owner', sql`num_nonnulls(user_id, service_account_id) = 1`)
    .execute();
  await db.schema.createIndex('api_tokens_user_idx').on('api_tokens').columns(['user_id', 'organization_id']).execute();
  await db.schema.createIndex('api_tokens_service_account_idx').on('api_tokens').column('service_account_id').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['api_tokens', 'service_accounts', 'invitations', 'memberships', 'roles']) {
    await db.schema.dropTable(table).execute();
  }
}
