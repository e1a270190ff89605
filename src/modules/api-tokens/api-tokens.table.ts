import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';
import type { TokenScopePermission } from '../../authz/entity-permissions.js';

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
  /** The scope (SPEC §6): the automations the token acts on, and the permissions it may use there; null for an unscoped token. */
  scopeAutomationIds: ColumnType<string[] | null, string[] | null | undefined, never>;
  scopePermissions: ColumnType<TokenScopePermission[] | null, TokenScopePermission[] | null | undefined, never>;
}

export type ApiTokenRow = Selectable<ApiTokensTable>;
export type NewApiToken = Insertable<ApiTokensTable>;
