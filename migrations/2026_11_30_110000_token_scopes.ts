import { sql, type Kysely } from 'kysely';

// Issue 11, SPEC §6 "Least privilege is a property of the token": an API token may carry a scope,
// the automations it acts on and the automation permissions it may use there. Both or neither;
// a scope is fixed at creation (no column is ever updated).
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('api_tokens')
    .addColumn('scope_automation_ids', sql`uuid[]`)
    .addColumn('scope_permissions', sql`text[]`)
    .execute();
  await db.schema
    .alterTable('api_tokens')
    .addCheckConstraint(
      'api_tokens_scope_check',
      sql`(scope_automation_ids is null) = (scope_permissions is null)
        and (scope_automation_ids is null or (cardinality(scope_automation_ids) > 0 and cardinality(scope_permissions) > 0))
        and (scope_permissions is null or scope_permissions <@ array['VIEW', 'RUN', 'TRACES', 'MANAGE_SETTINGS', 'HUMAN_IN_THE_LOOP']::text[])`,
    )
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('api_tokens').dropConstraint('api_tokens_scope_check').execute();
  await db.schema.alterTable('api_tokens').dropColumn('scope_automation_ids').dropColumn('scope_permissions').execute();
}
