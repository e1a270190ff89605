import { sql, type RawBuilder, type SqlBool } from 'kysely';
import type { TokenScope, VisibilityScope } from '../../authz/principal.js';
import type { GrantPermission, TokenScopePermission } from '../../authz/entity-permissions.js';
import type { Level } from '../../authz/features.js';
import type { Executor } from '../../db/database.js';
import { afterCursor, type Page } from '../../graphql/pagination.js';
import type { AutomationPageColumn } from './automation-page-columns.js';
import type { AutomationRow, NewAutomation } from './automations.table.js';

export interface AutomationScope extends VisibilityScope {
  crewsDashboards: Level;
}

/**
 * The view rule of SPEC §3 in SQL, for lists and counts: Owners see all; NO_ACCESS sees none;
 * others see organization-wide automations and private ones whose whitelist names them, their
 * role or their service account. `automation-decision.ts` is the same rule per automation, and
 * test/automations/visibility.test.ts holds the two to each other.
 */
export function viewable(scope: AutomationScope): RawBuilder<SqlBool> {
  return scope.tokenScope ? sql<SqlBool>`(${inTokenScope(scope.tokenScope)} and ${viewableByRole(scope)})` : viewableByRole(scope);
}

/** SPEC §6: only the automations a scoped token names exist for it. */
function inTokenScope(tokenScope: TokenScope): RawBuilder<SqlBool> {
  return sql<SqlBool>`${sql.ref('automations.id')} in (${sql.join(tokenScope.automationIds)})`;
}

function viewableByRole(scope: AutomationScope): RawBuilder<SqlBool> {
  if (scope.isOwner) return sql<SqlBool>`true`;
  if (scope.crewsDashboards === 'NO_ACCESS') return sql<SqlBool>`false`;
  return sql<SqlBool>`(${sql.ref('automations.visibility')} = 'ORGANIZATION' or ${grantExists(scope, sql<SqlBool>`true`)})`;
}

/**
 * A grant on the row's automation to the caller or its role, within the caller's organization.
 * Two EXISTS rather than one with an OR: each is an index probe (entity_grants_principal_key by
 * automation and user, entity_grants_role_idx / _service_account_idx), where the OR made
 * PostgreSQL hash every tenant's grants once per statement (issue 16 §2; test/db/explain.test.ts).
 */
function grantExists(scope: AutomationScope, condition: RawBuilder<SqlBool>): RawBuilder<SqlBool> {
  const principal = scope.serviceAccountId !== null ? sql`g.service_account_id = ${scope.serviceAccountId}` : sql`g.user_id = ${scope.userId}`;
  const exists = (who: RawBuilder<unknown>) => sql<SqlBool>`exists (select 1 from entity_grants g where ${who} and g.resource_type = 'AUTOMATION'
    and g.resource_id = ${sql.ref('automations.id')} and g.organization_id = ${scope.organizationId} and ${condition})`;
  return sql<SqlBool>`(${exists(principal)} or ${exists(sql`g.role_id = ${scope.roleId}`)})`;
}

/** A permission the decision procedure grants per action (full_access is all of them). */
export type ActionPermission = Exclude<GrantPermission, 'full_access'>;

/**
 * The permission rule of SPEC §3 in SQL, for lists filtered by what the caller may do (pending
 * human-in-the-loop requests): Owners may; NO_ACCESS may not; otherwise the role level allows it
 * on ORGANIZATION automations (READ for run, traces and human_in_the_loop; manage_settings needs
 * MANAGE), and a grant naming the caller, its role or its service account allows it when it holds
 * the permission, full_access, or no permission at all (a whitelist entry without permissions is
 * full_access). Either way the caller may also view the automation, so `viewable` is implied.
 * `decide` in automation-decision.ts is the same rule per automation, and
 * test/automations/may-act-on.test.ts holds the two to each other.
 */
export function mayActOn(scope: AutomationScope, permission: ActionPermission): RawBuilder<SqlBool> {
  const { tokenScope } = scope;
  if (!tokenScope) return mayActOnByRole(scope, permission);
  if (!tokenScope.permissions.includes(SCOPE_PERMISSION[permission])) return sql<SqlBool>`false`;
  return sql<SqlBool>`(${inTokenScope(tokenScope)} and ${mayActOnByRole(scope, permission)})`;
}

const SCOPE_PERMISSION: Record<ActionPermission, TokenScopePermission> = {
  run: 'RUN',
  traces: 'TRACES',
  manage_settings: 'MANAGE_SETTINGS',
  human_in_the_loop: 'HUMAN_IN_THE_LOOP',
};

function mayActOnByRole(scope: AutomationScope, permission: ActionPermission): RawBuilder<SqlBool> {
  if (scope.isOwner) return sql<SqlBool>`true`;
  if (scope.crewsDashboards === 'NO_ACCESS') return sql<SqlBool>`false`;
  const byLevel =
    permission !== 'manage_settings' || scope.crewsDashboards === 'MANAGE'
      ? sql<SqlBool>`${sql.ref('automations.visibility')} = 'ORGANIZATION'`
      : sql<SqlBool>`false`;
  const holds = sql<SqlBool>`(cardinality(g.permissions) = 0 or g.permissions && array['full_access', ${permission}]::text[])`;
  return sql<SqlBool>`(${byLevel} or ${grantExists(scope, holds)})`;
}

/** Ids of the organization's live automations the caller may act on: a subquery for other modules' lists. */
export function actionableAutomationIds(db: Executor, scope: AutomationScope, permission: ActionPermission) {
  return db
    .selectFrom('automations')
    .select('automations.id')
    .where('automations.organizationId', '=', scope.organizationId)
    .where('automations.deletedAt', 'is', null)
    .where(mayActOn(scope, permission));
}

export async function findAutomationsByIds(db: Executor, ids: readonly string[]): Promise<AutomationRow[]> {
  return db.selectFrom('automations').selectAll().where('id', 'in', ids).execute();
}

/** A page of automations, each row with the `extra` columns other modules asked for (automation-page-columns.ts). */
export async function listAutomations(
  db: Executor,
  scope: AutomationScope,
  page: Page,
  includeDeleted: boolean,
  extra: readonly AutomationPageColumn[] = [],
): Promise<AutomationRow[]> {
  return db
    .selectFrom('automations')
    .selectAll()
    .$if(extra.length > 0, (qb) => qb.select(extra.map((column) => column.column.as(column.name))))
    .where('organizationId', '=', scope.organizationId)
    .where(viewable(scope))
    .$if(!includeDeleted, (qb) => qb.where('deletedAt', 'is', null))
    .where(afterCursor('automations', page.after))
    .orderBy('createdAt')
    .orderBy('id')
    .limit(page.limit + 1)
    .execute();
}

export async function countAutomations(db: Executor, scope: AutomationScope, includeDeleted: boolean): Promise<number> {
  const row = await db
    .selectFrom('automations')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('organizationId', '=', scope.organizationId)
    .where(viewable(scope))
    .$if(!includeDeleted, (qb) => qb.where('deletedAt', 'is', null))
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

export async function insertAutomation(db: Executor, values: NewAutomation): Promise<AutomationRow> {
  return db.insertInto('automations').values(values).returningAll().executeTakeFirstOrThrow();
}

export async function updateAutomation(
  db: Executor,
  organizationId: number,
  id: string,
  patch: { name?: string; description?: string; visibility?: 'ORGANIZATION' | 'PRIVATE'; deletedAt?: Date },
): Promise<AutomationRow | undefined> {
  return db
    .updateTable('automations')
    .set({ ...patch, updatedAt: new Date() })
    .where('organizationId', '=', organizationId)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
}

/** Serializes deploys of one automation (version numbers) within the caller's transaction. */
export async function lockAutomation(trx: Executor, organizationId: number, id: string): Promise<AutomationRow | undefined> {
  return trx.selectFrom('automations').selectAll().where('organizationId', '=', organizationId).where('id', '=', id).forUpdate().executeTakeFirst();
}
