import type { Executor } from '../../db/database.js';
import { columnsFromLevels, MEMBER_DEFAULT_LEVELS, OWNER_LEVELS } from '../../authz/features.js';
import type { NewRole, RoleKind, RoleRow, RoleUpdate } from './roles.table.js';

export async function findRolesByIds(db: Executor, ids: readonly string[]): Promise<RoleRow[]> {
  return db.selectFrom('roles').selectAll().where('id', 'in', ids).execute();
}

/** Owner, Member, then custom roles by name. */
/** Custom roles of the organization (its Owner and Member roles aside). */
export async function countCustomRoles(db: Executor, organizationId: number): Promise<number> {
  const row = await db
    .selectFrom('roles')
    .select((eb) => eb.fn.countAll<string>().as('count'))
    .where('organizationId', '=', organizationId)
    .where('kind', '=', 'CUSTOM')
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

export async function listRoles(db: Executor, organizationId: number): Promise<RoleRow[]> {
  return db
    .selectFrom('roles')
    .selectAll()
    .where('organizationId', '=', organizationId)
    .orderBy((eb) => eb.case().when('kind', '=', 'OWNER').then(0).when('kind', '=', 'MEMBER').then(1).else(2).end())
    .orderBy('name')
    .execute();
}

export async function findRoleByKind(db: Executor, organizationId: number, kind: Exclude<RoleKind, 'CUSTOM'>): Promise<RoleRow> {
  return db.selectFrom('roles').selectAll().where('organizationId', '=', organizationId).where('kind', '=', kind).executeTakeFirstOrThrow();
}

/**
 * Finds the organization's Owner (or Member) role and locks its row until the transaction ends.
 * Owner changes lock the Owner role first (src/modules/members/change-membership.ts), so that
 * within one organization they run one at a time and never deadlock on the memberships they lock
 * next. FOR NO KEY UPDATE: it does not block the key-share locks that adding a membership with
 * this role takes through the foreign key.
 */
export async function lockRoleByKind(trx: Executor, organizationId: number, kind: Exclude<RoleKind, 'CUSTOM'>): Promise<RoleRow> {
  return trx.selectFrom('roles').selectAll().where('organizationId', '=', organizationId).where('kind', '=', kind).forNoKeyUpdate().executeTakeFirstOrThrow();
}

/** The two predefined roles every organization has (SPEC §2). */
export async function insertPredefinedRoles(trx: Executor, organizationId: number): Promise<{ owner: RoleRow; member: RoleRow }> {
  const owner = await insertRole(trx, {
    organizationId,
    name: 'Owner',
    kind: 'OWNER',
    description: 'Full access to all features and settings. Cannot be restricted.',
    template: null,
    ...columnsFromLevels(OWNER_LEVELS),
  });
  const member = await insertRole(trx, {
    organizationId,
    name: 'Member',
    kind: 'MEMBER',
    description: 'Read access to most features; manages environment variables, LLM connections and Studio projects.',
    template: null,
    ...columnsFromLevels(MEMBER_DEFAULT_LEVELS),
  });
  return { owner, member };
}

export async function insertRole(db: Executor, values: NewRole): Promise<RoleRow> {
  return db.insertInto('roles').values(values).returningAll().executeTakeFirstOrThrow();
}

export async function updateRole(db: Executor, organizationId: number, id: string, patch: RoleUpdate): Promise<RoleRow | undefined> {
  return db
    .updateTable('roles')
    .set({ ...patch, updatedAt: new Date() })
    .where('organizationId', '=', organizationId)
    .where('id', '=', id)
    .where('kind', '<>', 'OWNER')
    .returningAll()
    .executeTakeFirst();
}

export async function deleteCustomRole(db: Executor, organizationId: number, id: string): Promise<boolean> {
  const result = await db.deleteFrom('roles').where('organizationId', '=', organizationId).where('id', '=', id).where('kind', '=', 'CUSTOM').executeTakeFirst();
  return result.numDeletedRows > 0n;
}
