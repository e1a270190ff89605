import { sql, type Kysely } from 'kysely';

// Tools, agents, Studio projects, training runs and the usage budget: the resources gated by
// feature permissions alone (SPEC §2).
function named(db: Kysely<unknown>, table: string) {
  return db.schema
    .createTable(table)
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('organization_id', 'integer', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull().check(sql.raw(`char_length(name) between 1 and 100`)));
}

export async function up(db: Kysely<unknown>): Promise<void> {
  await named(db, 'tools')
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('HTTP', 'PYTHON', 'MCP', 'BUILTIN')`))
    .addColumn('config', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('created_by_user_id', 'uuid', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('created_at', 'timestamptz(3)', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('tools_organization_id_id_key', ['organization_id', 'id'])
    .execute();

  await named(db, 'agents')
    .addColumn('role', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('goal', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('backstory', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('created_by_user_id', 'uuid', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('created_at', 'timestamptz(3)', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('agents_organization_id_id_key', ['organization_id', 'id'])
    .execute();

  await named(db, 'studio_projects')
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('created_by_user_id', 'uuid', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('created_at', 'timestamptz(3)', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await named(db, 'training_runs')
    .addColumn('agent_id', 'uuid')
    .addColumn('iterations', 'integer', (c) => c.notNull().check(sql`iterations between 1 and 100`))
    .addColumn('status', 'text', (c) =>
      c
        .notNull()
        .defaultTo('QUEUED')
        .check(sql`status in ('QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED')`),
    )
    .addColumn('created_by_user_id', 'uuid', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('created_at', 'timestamptz(3)', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addForeignKeyConstraint('training_runs_agent_fkey', ['organization_id', 'agent_id'], 'agents', ['organization_id', 'id'], (fk) => fk.onDelete('cascade'))
    .execute();

  for (const table of ['tools', 'agents', 'studio_projects', 'training_runs']) {
    await sql`create index ${sql.id(`${table}_org_created_idx`)} on ${sql.table(table)} (organization_id, created_at, id)`.execute(db);
  }
  for (const table of ['tools', 'agents', 'studio_projects']) {
    await sql`create unique index ${sql.id(`${table}_name_key`)} on ${sql.table(table)} (organization_id, lower(name))`.execute(db);
  }

  await db.schema
    .createTable('usage_budgets')
    .addColumn('organization_id', 'integer', (c) => c.primaryKey().references('organizations.id').onDelete('cascade'))
    .addColumn('monthly_token_budget', 'bigint', (c) => c.check(sql`monthly_token_budget > 0`))
    .addColumn('alert_threshold_percent', 'integer', (c) =>
      c
        .notNull()
        .defaultTo(80)
        .check(sql`alert_threshold_percent between 1 and 100`),
    )
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['usage_budgets', 'training_runs', 'studio_projects', 'agents', 'tools']) {
    await db.schema.dropTable(table).execute();
  }
}
