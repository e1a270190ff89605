import type { ColumnType, Insertable, JSONColumnType, Selectable } from 'kysely';

export type Snapshot = Record<string, unknown>;

export interface AuditLogTable {
  /** Set by the application, not the database: the entry's hash covers it (audit-hash.ts). */
  id: ColumnType<string, string, never>;
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
  /** Set by insertAuditEntry from the database clock, in milliseconds as the column keeps them: hashed. */
  createdAt: ColumnType<Date, Date, never>;
  /** Position in the organization's chain (audit-hash.ts): 1, 2, 3, … without gaps. */
  chainSeq: ColumnType<number, number, never>;
  /** The hash of the entry before this one in the chain; null for the first. */
  prevHash: ColumnType<string | null, string | null, never>;
  /** sha256 (hex) over this entry's columns and prevHash. */
  hash: ColumnType<string, string, never>;
}

export type AuditEntryRow = Selectable<AuditLogTable>;
export type NewAuditEntry = Insertable<AuditLogTable>;
