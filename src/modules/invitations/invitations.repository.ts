import { sql, type ExpressionBuilder } from 'kysely';
import type { Database, Executor } from '../../db/database.js';
import { afterCursor, type Page } from '../../graphql/pagination.js';
import type { InvitationRow, NewInvitation } from './invitations.table.js';

type Eb = ExpressionBuilder<Database, 'invitations'>;

/** Pending and not yet expired: the only invitations that can still be accepted. */
const open = (eb: Eb) => eb.and([eb('status', '=', 'PENDING'), eb('expiresAt', '>', sql<Date>`now()`)]);
/** Email addresses compare case-insensitively, as the `lower(email)` indexes do. */
const emailIs = (eb: Eb, email: string) => eb(eb.fn('lower', ['email']), '=', email.toLowerCase());

export async function findInvitationsByIds(db: Executor, ids: readonly string[]): Promise<InvitationRow[]> {
  return db.selectFrom('invitations').selectAll().where('id', 'in', ids).execute();
}

/** The organization's open invitations (accepted, revoked and expired ones are history). */
export async function listPendingInvitations(db: Executor, organizationId: number, page: Page): Promise<InvitationRow[]> {
  return db
    .selectFrom('invitations')
    .selectAll()
    .where('organizationId', '=', organizationId)
    .where(open)
    .where(afterCursor('invitations', page.after))
    .orderBy('createdAt')
    .orderBy('id')
    .limit(page.limit + 1)
    .execute();
}

export async function countPendingInvitations(db: Executor, organizationId: number): Promise<number> {
  const row = await db
    .selectFrom('invitations')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('organizationId', '=', organizationId)
    .where(open)
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

/** Open invitations addressed to this email, in every organization (the invitee's own view). */
export async function pendingInvitationsFor(db: Executor, email: string): Promise<InvitationRow[]> {
  return db
    .selectFrom('invitations')
    .selectAll()
    .where(open)
    .where((eb) => emailIs(eb, email))
    .orderBy('createdAt')
    .orderBy('id')
    .execute();
}

export async function insertInvitation(db: Executor, values: NewInvitation): Promise<InvitationRow> {
  return db.insertInto('invitations').values(values).returningAll().executeTakeFirstOrThrow();
}

/**
 * An expired invitation still holds the one-pending-invitation-per-email index; inviting the same
 * address again retires it (as REVOKED) so that the new invitation can take its place.
 */
export async function retireExpiredInvitation(trx: Executor, organizationId: number, email: string): Promise<void> {
  await trx
    .updateTable('invitations')
    .set({ status: 'REVOKED' })
    .where('organizationId', '=', organizationId)
    .where('status', '=', 'PENDING')
    .where('expiresAt', '<=', sql<Date>`now()`)
    .where((eb) => emailIs(eb, email))
    .execute();
}

/** Revokes a pending invitation (`respondedAt` records when it closed); undefined if it is not pending (any more). */
export async function revokeInvitation(db: Executor, organizationId: number, id: string): Promise<InvitationRow | undefined> {
  return db
    .updateTable('invitations')
    .set({ status: 'REVOKED', respondedAt: new Date() })
    .where('organizationId', '=', organizationId)
    .where('id', '=', id)
    .where('status', '=', 'PENDING')
    .returningAll()
    .executeTakeFirst();
}

/** Marks an open invitation accepted; undefined if it was revoked, accepted or expired meanwhile. */
export async function markInvitationAccepted(trx: Executor, organizationId: number, id: string): Promise<InvitationRow | undefined> {
  return trx
    .updateTable('invitations')
    .set({ status: 'ACCEPTED', respondedAt: new Date() })
    .where('organizationId', '=', organizationId)
    .where('id', '=', id)
    .where(open)
    .returningAll()
    .executeTakeFirst();
}
