import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';

export interface ApiTokensTable {
  id: Generated<string>;
  organizationId: number;
  userId: string | null;
  serviceAccountId: string | null;
  name: string;
  tokenHash: Buffer;
  tokenPrefix: string;
  createdByUserId: string | null;
  createdAt: ColumnType<Date, never, never>;
  expiresAt: Date | null;
  revokedAt: ColumnType<Date | null, never, Date>;
  lastUsedAt: ColumnType<Date | null, never, Date>;
}

export type ApiTokenRow = Selectable<ApiTokensTable>;
export type NewApiToken = Insertable<ApiTokensTable>;
