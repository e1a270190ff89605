import type { ColumnType, Generated, Insertable, JSONColumnType, Selectable } from 'kysely';

export type Snapshot = Record<string, unknown>;

export interface AuditLogTable {
  id: Generated<string>;
  organizationId: number | null;
  actorUserId: string | null;
  actorServiceAccountId: string | null;
  /** Who it was when it happened (email or service account name): users may be renamed later. */
  actorName: string;
  action: string;
  targetType: string;
  targetId: string | null;
  before: JSONColumnType<Snapshot | null, string | null, never>;
  after: JSONColumnType<Snapshot | null, string | null, never>;
  requestId: string;
  createdAt: ColumnType<Date, never, never>;
}

export type AuditEntryRow = Selectable<AuditLogTable>;
export type NewAuditEntry = Insertable<AuditLogTable>;
