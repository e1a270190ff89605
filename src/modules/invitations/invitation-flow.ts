import type { Db } from '../../db/database.js';
import { withUniqueName } from '../../db/unique-name.js';
import { ConflictError, NotFoundError } from '../../errors.js';
import { findMembership, insertMembership } from '../members/members.repository.js';
import type { MembershipRow } from '../members/members.table.js';
import { findUserByEmail } from '../users/users.repository.js';
import { insertInvitation, markInvitationAccepted, retireExpiredInvitation } from './invitations.repository.js';
import type { InvitationRow } from './invitations.table.js';
import { inTransaction } from '../../db/transaction.js';

/** How long an invitation can be accepted. */
export const INVITATION_TTL_MS = 14 * 24 * 60 * 60 * 1000;

export interface InvitationRequest {
  organizationId: number;
  email: string;
  roleId: string;
  invitedByUserId: string | null;
}

/**
 * Invites an address that is not a member yet. At most one invitation per address is pending; the
 * partial unique index decides, so two concurrent invitations to one address cannot both succeed.
 */
export async function createInvitation(db: Db, request: InvitationRequest): Promise<InvitationRow> {
  return inTransaction(db, async (trx) => {
    const user = await findUserByEmail(trx, request.email);
    if (user && (await findMembership(trx, request.organizationId, user.id))) {
      throw new ConflictError(`${request.email} is already a member of this organization; change their role instead of inviting them.`);
    }
    await retireExpiredInvitation(trx, request.organizationId, request.email);
    return withUniqueName(`${request.email} already has a pending invitation to this organization; revoke it first to invite again.`, () =>
      insertInvitation(trx, { ...request, expiresAt: new Date(Date.now() + INVITATION_TTL_MS) }),
    );
  });
}

/**
 * Whether `email` may accept the invitation: it is pending, unexpired and addressed to them. Any
 * other invitation is answered NOT_FOUND, so its id reveals nothing to whoever holds it.
 */
export function isOpenFor(invitation: InvitationRow, email: string, now = new Date()): boolean {
  return invitation.status === 'PENDING' && invitation.expiresAt > now && invitation.email.toLowerCase() === email.toLowerCase();
}

/** Accepts the invitation and adds the membership in one transaction: both or neither. */
export async function acceptInvitation(db: Db, invitation: InvitationRow, userId: string): Promise<MembershipRow> {
  return inTransaction(db, async (trx) => {
    const accepted = await markInvitationAccepted(trx, invitation.organizationId, invitation.id);
    if (!accepted) throw new NotFoundError('Invitation', invitation.id);
    // The membership's primary key (organization, user) answers "already a member"; the rollback
    // leaves the invitation pending.
    return withUniqueName('You are already a member of this organization; the invitation stays pending.', () =>
      insertMembership(trx, { organizationId: accepted.organizationId, userId, roleId: accepted.roleId }),
    );
  });
}
