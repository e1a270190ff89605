import type { ColumnType, Generated, Insertable, JSONColumnType, Selectable } from 'kysely';

/** As stored. A PENDING request past its expiry reads as EXPIRED (see hitl.repository.ts `statusIs`). */
export type HitlStatus = 'PENDING' | 'ANSWERED' | 'EXPIRED';
export type HitlForwardStatus = 'PENDING' | 'DELIVERED' | 'FAILED';

/** A question a deployed automation asks a person, and the one answer it gets. */
export interface HitlRequestsTable {
  id: Generated<string>;
  organizationId: number;
  automationId: string;
  /** The deployment whose ingest token raised the request: its namespace is where the answer goes. */
  deploymentId: string;
  executionId: string | null;
  question: string;
  context: JSONColumnType<Record<string, unknown>, string | undefined, string>;
  callbackPath: string | null;
  status: ColumnType<HitlStatus, HitlStatus | undefined, HitlStatus>;
  answer: JSONColumnType<Record<string, unknown> | null, never, string>;
  answeredByUserId: ColumnType<string | null, never, string | null>;
  answeredByServiceAccountId: ColumnType<string | null, never, string | null>;
  answeredAt: ColumnType<Date | null, never, Date>;
  forwardStatus: ColumnType<HitlForwardStatus | null, never, HitlForwardStatus>;
  forwardError: ColumnType<string | null, never, string | null>;
  forwardAttempts: ColumnType<number, never, number>;
  forwardAttemptedAt: ColumnType<Date | null, never, Date>;
  createdAt: ColumnType<Date, never, never>;
  expiresAt: ColumnType<Date, Date, never>;
}

export type HitlRequestRow = Selectable<HitlRequestsTable>;
export type NewHitlRequest = Insertable<HitlRequestsTable>;
