import { sql } from 'kysely';
import type { ResourceType } from '../../authz/entity-grants.table.js';
import type { Executor } from '../../db/database.js';
import type { Snapshot } from './audit.table.js';

/**
 * What an audit entry records of a target before and after a mutation: its row as JSON with every
 * secret column replaced by "[redacted]", plus its access list for resources that have one.
 */
interface TargetTable {
  table: string;
  key: readonly string[];
  secrets?: readonly string[];
  grants?: ResourceType;
}

export const AUDIT_TARGETS = {
  Organization: { table: 'organizations', key: ['id'] },
  Role: { table: 'roles', key: ['id'] },
  Membership: { table: 'memberships', key: ['organization_id', 'user_id'] },
  Invitation: { table: 'invitations', key: ['id'] },
  ServiceAccount: { table: 'service_accounts', key: ['id'] },
  ApiToken: { table: 'api_tokens', key: ['id'], secrets: ['token_hash'] },
  EnvVar: { table: 'env_vars', key: ['id'], secrets: ['value_ciphertext'], grants: 'ENV_VAR' },
  LLMConnection: { table: 'llm_connections', key: ['id'], secrets: ['api_key_ciphertext'], grants: 'LLM_CONNECTION' },
  GitRepo: { table: 'git_repos', key: ['id'], secrets: ['read_credential_ciphertext'], grants: 'GIT_REPO' },
  Automation: { table: 'automations', key: ['id'], grants: 'AUTOMATION' },
  Deployment: { table: 'automation_deployments', key: ['id'], secrets: ['ingest_token_hash'] },
  Execution: { table: 'executions', key: ['id'] },
  UsageBudget: { table: 'usage_budgets', key: ['organization_id'] },
  FeatureFlag: { table: 'feature_flags', key: ['name'] },
  Webhook: { table: 'webhooks', key: ['id'], secrets: ['secret_ciphertext'] },
  WebhookDelivery: { table: 'webhook_deliveries', key: ['id'] },
} as const satisfies Record<string, TargetTable>;

export type AuditTargetType = keyof typeof AUDIT_TARGETS;

/** The target's key values, in the order of its `key` columns. */
export type TargetKey = readonly (string | number)[];

export async function snapshot(db: Executor, type: AuditTargetType, key: TargetKey): Promise<Snapshot | null> {
  const target: TargetTable = AUDIT_TARGETS[type];
  const conditions = target.key.map((column, i) => sql`t.${sql.ref(column)} = ${key[i]}`);
  const redacted = target.secrets?.length
    ? sql` - ${sql.val(target.secrets)}::text[] || jsonb_build_object(${sql.join(target.secrets.flatMap((column) => [sql.lit(column), sql.lit('[redacted]')]))})`
    : sql``;
  const grants = target.grants
    ? sql` || jsonb_build_object('access_list', (select coalesce(jsonb_agg(jsonb_build_object('user_id', g.user_id, 'role_id', g.role_id,
        'service_account_id', g.service_account_id, 'permissions', g.permissions) order by g.created_at, g.id), '[]'::jsonb)
        from entity_grants g where g.resource_type = ${target.grants} and g.resource_id = t.id))`
    : sql``;
  const flagOrgs =
    type === 'FeatureFlag'
      ? sql` || jsonb_build_object('organization_ids', (select coalesce(jsonb_agg(o.organization_id order by o.organization_id), '[]'::jsonb)
          from feature_flag_organizations o where o.name = t.name))`
      : sql``;
  const result = await sql<{ snapshot: Snapshot }>`select (to_jsonb(t)${redacted}${grants}${flagOrgs}) as snapshot
    from ${sql.table(target.table)} t where ${sql.join(conditions, sql` and `)}`.execute(db);
  return result.rows[0]?.snapshot ?? null;
}
