import { sql, type Kysely } from 'kysely';

// Issue 13 item 2, code delivery (SPEC §7 "Code reaches the runtime … from Git (a read credential
// for that repository), or from a Studio project's definition"):
// - a Git repository's clone URL and its read credential (an HTTPS access token, sealed with the
//   SecretBox like env var values; the username is not secret);
// - a Studio project's definition;
// - the immutable snapshot of a definition a deployment runs, so that editing the project later
//   changes no deployed version, and `STUDIO` as a deployment source.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('git_repos').addColumn('clone_url', 'text').execute();
  // Repositories connected before this had no clone URL: their provider's public host is the one.
  await sql`update git_repos set clone_url = case provider
      when 'GITHUB' then 'https://github.com/' when 'GITLAB' then 'https://gitlab.com/' else 'https://bitbucket.org/' end
      || full_name || '.git'`.execute(db);
  await sql`alter table git_repos alter column clone_url set not null`.execute(db);
  await sql`alter table git_repos add constraint git_repos_clone_url_check
      check (clone_url ~ '^https://' and char_length(clone_url) <= 2048)`.execute(db);
  await db.schema
    .alterTable('git_repos')
    .addColumn('read_credential_ciphertext', 'bytea')
    .addColumn('read_credential_username', 'text')
    .addColumn('read_credential_updated_at', 'timestamptz')
    .execute();
  await sql`alter table git_repos add constraint git_repos_read_credential_check
      check ((read_credential_ciphertext is null) = (read_credential_username is null)
        and (read_credential_ciphertext is null) = (read_credential_updated_at is null))`.execute(db);

  await db.schema.alterTable('studio_projects').addColumn('definition', 'jsonb').execute();

  await db.schema
    .createTable('studio_definition_snapshots')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('organization_id', 'integer', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
    .addColumn('studio_project_id', 'uuid', (c) => c.references('studio_projects.id').onDelete('set null'))
    .addColumn('project_name', 'text', (c) => c.notNull())
    // The exact bytes the runtime receives, as text: jsonb would reorder keys and change the SHA-256.
    .addColumn('document', 'text', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull().check(sql`sha256 ~ '^[0-9a-f]{64}$'`))
    .addColumn('created_at', 'timestamptz(3)', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await sql`alter table automation_deployments drop constraint automation_deployments_source_type_check`.execute(db);
  await sql`alter table automation_deployments add constraint automation_deployments_source_type_check
      check (source_type in ('GIT', 'ZIP', 'STUDIO'))`.execute(db);
  await db.schema
    .alterTable('automation_deployments')
    .addColumn('studio_project_id', 'uuid', (c) => c.references('studio_projects.id').onDelete('set null'))
    .addColumn('studio_project_name', 'text')
    .addColumn('studio_snapshot_id', 'uuid', (c) => c.references('studio_definition_snapshots.id'))
    .addColumn('studio_definition_sha256', 'text')
    .execute();
  // A Studio version always has its snapshot: redeploy and rollback reuse it.
  await sql`alter table automation_deployments add constraint automation_deployments_studio_snapshot_check
      check (source_type <> 'STUDIO' or (studio_snapshot_id is not null and studio_definition_sha256 is not null))`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`delete from automation_deployments where source_type = 'STUDIO'`.execute(db);
  await sql`alter table automation_deployments drop constraint automation_deployments_studio_snapshot_check`.execute(db);
  for (const column of ['studio_definition_sha256', 'studio_snapshot_id', 'studio_project_name', 'studio_project_id']) {
    await db.schema.alterTable('automation_deployments').dropColumn(column).execute();
  }
  await sql`alter table automation_deployments drop constraint automation_deployments_source_type_check`.execute(db);
  await sql`alter table automation_deployments add constraint automation_deployments_source_type_check
      check (source_type in ('GIT', 'ZIP'))`.execute(db);
  await db.schema.dropTable('studio_definition_snapshots').execute();
  await db.schema.alterTable('studio_projects').dropColumn('definition').execute();
  await sql`alter table git_repos drop constraint git_repos_read_credential_check`.execute(db);
  await sql`alter table git_repos drop constraint git_repos_clone_url_check`.execute(db);
  for (const column of ['read_credential_updated_at', 'read_credential_username', 'read_credential_ciphertext', 'clone_url']) {
    await db.schema.alterTable('git_repos').dropColumn(column).execute();
  }
}
