import { sql, type SqlBool } from 'kysely';
import type { Executor } from '../../db/database.js';
import { afterCursor, type Page } from '../../graphql/pagination.js';
import type { MembershipRow, NewMembership } from './members.table.js';

export async function insertMembership(db: Executor, values: NewMembership): Promise<MembershipRow> {
  return db.insertInto('memberships').values(values).returningAll().executeTakeFirstOrThrow();
}

/** Members in join order; the user id stands in as the row's id, the cursor's tie-breaker. */
export async function listMemberships(db: Executor, organizationId: number, page: Page): Promise<Array<MembershipRow & { id: string }>> {
  const after = page.after;
  return db
    .selectFrom('memberships')
    .selectAll()
    .select('userId as id')
    .where('organizationId', '=', organizationId)
    .where(
      after
        ? sql<SqlBool>`(${sql.ref('memberships.createdAt')}, ${sql.ref('memberships.userId')}) > (${after.createdAt}, ${after.id})`
        : afterCursor('memberships', null),
    )
    .orderBy('createdAt')
    .orderBy('userId')
    .limit(page.limit + 1)
    .execute();
}

/** The organizations each of these users is a member of (for User.email, SPEC §6). */
export async function organizationIdsOfUsers(db: Executor, userIds: readonly string[]): Promise<Array<{ userId: string; organizationId: number }>> {
  return db.selectFrom('memberships').select(['userId', 'organizationId']).where('userId', 'in', userIds).execute();
}

export async function countMemberships(db: Executor, organizationId: number): Promise<number> {
  const row = await db
    .selectFrom('memberships')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('organizationId', '=', organizationId)
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

export async function findMembership(db: Executor, organizationId: number, userId: string): Promise<MembershipRow | undefined> {
  return db.selectFrom('memberships').selectAll().where('organizationId', '=', organizationId).where('userId', '=', userId).executeTakeFirst();
}

/**
 * Locks the organization's Owner memberships for the rest of the transaction and returns the
 * Owners' user ids, so that the last Owner stays (SPEC §2). The caller holds the Owner role's row
 * lock already (lockRoleByKind in the roles module): Owner changes of one organization queue
 * there, and the second sees the first's change. The rows are locked in user id order all the
 * same, the one order every lock on several memberships takes, so that no two transactions can
 * wait on each other here.
 */
export async function lockOwners(trx: Executor, organizationId: number, ownerRoleId: string): Promise<string[]> {
  const rows = await trx
    .selectFrom('memberships')
    .select('userId')
    .where('organizationId', '=', organizationId)
    .where('roleId', '=', ownerRoleId)
    .orderBy('userId')
    .forUpdate()
    .execute();
  return rows.map((row) => row.userId);
}

export async function setMembershipRole(trx: Executor, organizationId: number, userId: string, roleId: string): Promise<MembershipRow | undefined> {
  return trx
    .updateTable('memberships')
    .set({ roleId })
    .where('organizationId', '=', organizationId)
    .where('userId', '=', userId)
    .returningAll()
    .executeTakeFirst();
}

export async function deleteMembership(trx: Executor, organizationId: number, userId: string): Promise<boolean> {
  const result = await trx.deleteFrom('memberships').where('organizationId', '=', organizationId).where('userId', '=', userId).executeTakeFirst();
  return result.numDeletedRows > 0n;
}
