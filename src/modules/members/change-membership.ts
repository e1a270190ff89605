import type { Authz } from '../../authz/authz.js';
import { deleteGrantsOfUser } from '../../authz/entity-grants.repository.js';
import type { Db } from '../../db/database.js';
import { ConflictError, ForbiddenError, NotFoundError } from '../../errors.js';
import { revokeUserTokens } from '../api-tokens/api-tokens.repository.js';
import { lockRoleByKind } from '../roles/roles.repository.js';
import type { RoleRow } from '../roles/roles.table.js';
import { deleteMembership, findMembership, lockOwners, setMembershipRole } from './members.repository.js';
import type { MembershipRow } from './members.table.js';
import { inTransaction } from '../../db/transaction.js';

const LAST_OWNER = 'An organization keeps at least one Owner: make another member Owner first.';

/** The caller has awaited `authz.ensure(organizationId)`. */
function requireOwnerToTouchOwners(authz: Authz, organizationId: number): void {
  if (!authz.isOwner(organizationId)) {
    throw new ForbiddenError('Granting or taking away the Owner role needs an Owner of this organization.');
  }
}

/** Changes a member's role; the last Owner cannot be demoted (SPEC §2). */
export async function changeMemberRole(db: Db, authz: Authz, organizationId: number, userId: string, role: RoleRow): Promise<MembershipRow> {
  await authz.ensure(organizationId);
  return inTransaction(db, async (trx) => {
    const owner = await lockRoleByKind(trx, organizationId, 'OWNER');
    const owners = await lockOwners(trx, organizationId, owner.id);
    const current = await findMembership(trx, organizationId, userId);
    if (!current) throw new NotFoundError('Member', userId);
    const wasOwner = current.roleId === owner.id;
    if (wasOwner || role.id === owner.id) requireOwnerToTouchOwners(authz, organizationId);
    if (wasOwner && role.id !== owner.id && owners.length <= 1) throw new ConflictError(LAST_OWNER);
    const updated = await setMembershipRole(trx, organizationId, userId, role.id);
    if (!updated) throw new NotFoundError('Member', userId);
    return updated;
  });
}

/** Removes a member with their access-list entries and API tokens in the organization. */
export async function removeMember(db: Db, authz: Authz, organizationId: number, userId: string): Promise<void> {
  await authz.ensure(organizationId);
  await inTransaction(db, async (trx) => {
    const owner = await lockRoleByKind(trx, organizationId, 'OWNER');
    const owners = await lockOwners(trx, organizationId, owner.id);
    const current = await findMembership(trx, organizationId, userId);
    if (!current) throw new NotFoundError('Member', userId);
    if (current.roleId === owner.id) {
      requireOwnerToTouchOwners(authz, organizationId);
      if (owners.length <= 1) throw new ConflictError(LAST_OWNER);
    }
    await deleteGrantsOfUser(trx, organizationId, userId);
    await revokeUserTokens(trx, organizationId, userId);
    await deleteMembership(trx, organizationId, userId);
  });
}
