import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';

export type InvitationStatus = 'PENDING' | 'ACCEPTED' | 'REVOKED';

export interface InvitationsTable {
  id: Generated<string>;
  organizationId: number;
  email: string;
  roleId: string;
  invitedByUserId: string | null;
  status: ColumnType<InvitationStatus, InvitationStatus | undefined, InvitationStatus>;
  createdAt: ColumnType<Date, never, never>;
  expiresAt: Date;
  respondedAt: ColumnType<Date | null, never, Date>;
}

export type InvitationRow = Selectable<InvitationsTable>;
export type NewInvitation = Insertable<InvitationsTable>;
