import { sql, type RawBuilder, type SqlBool } from 'kysely';
import type { Executor } from '../db/database.js';
import type { EntityGrantRow, ResourceType } from './entity-grants.table.js';
import type { VisibilityScope } from './principal.js';

export interface AccessEntry {
  userId: string | null;
  roleId: string | null;
  serviceAccountId: string | null;
  permissions: string[];
}

/**
 * Implements the "Entity RBAC for other resources" table of SPEC §3 as one SQL predicate: the
 * same expression filters lists, counts and single-item checks, so they can never disagree.
 *
 * `idRef` names the resource's id column and `restrictedRef` its "has an access list" column;
 * Git repositories have none: with Git RBAC on, every repository is restricted to its list.
 */
export function visibleUnderAccessList(scope: VisibilityScope, resourceType: ResourceType, idRef: string, restrictedRef?: string): RawBuilder<SqlBool> {
  if (scope.isOwner) return sql<SqlBool>`true`;
  const switchedOn = resourceType === 'GIT_REPO' ? scope.gitRepositoryRbac : scope.entityRbac;
  if (!switchedOn) return sql<SqlBool>`true`;
  const principal = scope.serviceAccountId !== null ? sql`g.service_account_id = ${scope.serviceAccountId}` : sql`g.user_id = ${scope.userId}`;
  // Two EXISTS, each an index probe, scoped to the caller's organization (as in automations.repository.ts).
  const exists = (who: RawBuilder<unknown>) => sql<SqlBool>`exists (select 1 from entity_grants g where ${who} and g.resource_type = ${resourceType}
    and g.resource_id = ${sql.ref(idRef)} and g.organization_id = ${scope.organizationId})`;
  const onList = sql<SqlBool>`(${exists(principal)} or ${exists(sql`g.role_id = ${scope.roleId}`)})`;
  return restrictedRef ? sql<SqlBool>`(not ${sql.ref(restrictedRef)} or ${onList})` : onList;
}

export async function listGrants(db: Executor, resourceType: ResourceType, resourceIds: readonly string[]): Promise<EntityGrantRow[]> {
  if (resourceIds.length === 0) return [];
  return db
    .selectFrom('entityGrants')
    .selectAll()
    .where('resourceType', '=', resourceType)
    .where('resourceId', 'in', resourceIds)
    .orderBy('createdAt')
    .orderBy('id')
    .execute();
}

/** Replaces a resource's access list in the caller's transaction. */
export async function replaceGrants(
  trx: Executor,
  organizationId: number,
  resourceType: ResourceType,
  resourceId: string,
  entries: readonly AccessEntry[],
): Promise<void> {
  await trx.deleteFrom('entityGrants').where('resourceType', '=', resourceType).where('resourceId', '=', resourceId).execute();
  if (entries.length === 0) return;
  await trx
    .insertInto('entityGrants')
    .values(entries.map((entry) => ({ organizationId, resourceType, resourceId, ...entry })))
    .onConflict((oc) => oc.doNothing())
    .execute();
}

export async function deleteGrantsOf(trx: Executor, resourceType: ResourceType, resourceId: string): Promise<void> {
  await trx.deleteFrom('entityGrants').where('resourceType', '=', resourceType).where('resourceId', '=', resourceId).execute();
}

/** A user who leaves an organization keeps no access-list entries there. */
export async function deleteGrantsOfUser(trx: Executor, organizationId: number, userId: string): Promise<void> {
  await trx.deleteFrom('entityGrants').where('organizationId', '=', organizationId).where('userId', '=', userId).execute();
}
