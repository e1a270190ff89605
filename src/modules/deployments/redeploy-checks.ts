import { featureDecision } from '../../authz/guards.js';
import { ForbiddenError } from '../../errors.js';
import type { GraphQLContext } from '../../graphql/context.js';
import { visibleEnvVarIds } from '../env-vars/env-vars.repository.js';
import type { EnvVarRow } from '../env-vars/env-vars.table.js';
import { isLlmConnectionVisible } from '../llm-connections/llm-connections.repository.js';
import type { LlmConnectionRow } from '../llm-connections/llm-connections.table.js';
import type { DeploymentRow } from './deployments.table.js';

/**
 * SPEC §4: redeploy and rollback need manage_settings (the mutations' rule), and they re-attach an
 * earlier version's env vars and LLM connection, which "set environment variables" and "configure
 * LLM keys" govern: the caller must still pass the checks deployAutomation makes (planEnvVars,
 * planLlmConnection: the feature level, then the access list under entity RBAC), evaluated now.
 * A refusal is FORBIDDEN naming what is missing. Env vars are named by name, which the version's
 * manifests already show anyone who may redeploy it; the LLM connection by id.
 *
 * An attachment deleted since is left out, as before: the new version is built from what exists.
 */

export async function recheckEnvVars(ctx: GraphQLContext, from: DeploymentRow, field: string): Promise<EnvVarRow[]> {
  const organizationId = from.organizationId;
  const loaded = await Promise.all(from.envVarIds.map((id) => ctx.loaders.envVars.load(id)));
  const rows = loaded.filter((row): row is EnvVarRow => row !== null && row.organizationId === organizationId);
  if (rows.length === 0) return [];
  await ctx.authz.ensure(organizationId);
  const decision = featureDecision(ctx, organizationId, 'environment_variables', 'MANAGE', `${field} (re-attaching the env vars of version ${from.version})`);
  if (decision !== true) throw decision;
  const scope = ctx.authz.scope(organizationId);
  const visible = scope
    ? await visibleEnvVarIds(
        ctx.db,
        rows.map((row) => row.id),
        scope,
      )
    : new Set<string>();
  const missing = rows.filter((row) => !visible.has(row.id));
  if (missing.length > 0) {
    const names = missing.map((row) => row.name).join(', ');
    throw new ForbiddenError(
      `${field}: version ${from.version} attaches env vars you may no longer use (${names}): entity RBAC is on and you are not on their access list. Ask an Owner to add you or your role (setEnvVarAccess), or deploy a new version without them with deployAutomation.`,
      { reason: 'ENV_VAR_ACCESS', envVarIds: missing.map((row) => row.id) },
    );
  }
  return rows;
}

export async function recheckLlmConnection(ctx: GraphQLContext, from: DeploymentRow, field: string): Promise<LlmConnectionRow | null> {
  const organizationId = from.organizationId;
  const row = from.llmConnectionId ? await ctx.loaders.llmConnections.load(from.llmConnectionId) : null;
  if (!row || row.organizationId !== organizationId) return null;
  await ctx.authz.ensure(organizationId);
  const decision = featureDecision(ctx, organizationId, 'llm_connections', 'MANAGE', `${field} (re-attaching the LLM connection of version ${from.version})`);
  if (decision !== true) throw decision;
  const scope = ctx.authz.scope(organizationId);
  if (!scope || !(await isLlmConnectionVisible(ctx.db, row.id, scope))) {
    throw new ForbiddenError(
      `${field}: version ${from.version} attaches LLM connection ${row.id}, which you may no longer use: entity RBAC is on and you are not on its access list. Ask an Owner to add you or your role (setLLMConnectionAccess), or deploy a new version with another connection with deployAutomation.`,
      { reason: 'LLM_CONNECTION_ACCESS', llmConnectionId: row.id },
    );
  }
  return row;
}
