import { generateToken } from '../../crypto/opaque-token.js';
import type { Executor } from '../../db/database.js';
import { insertApiToken } from './api-tokens.repository.js';
import type { ApiTokenRow } from './api-tokens.table.js';
import type { ScopeToStore } from './token-scope.js';

export type TokenOwner = { userId: string } | { serviceAccountId: string };

/** Issues a token; the secret is returned here once and only its hash is stored (SPEC §1). */
export async function issueApiToken(
  db: Executor,
  organizationId: number,
  owner: TokenOwner,
  name: string,
  options: { expiresAt?: Date | null; createdByUserId?: string | null; scope?: ScopeToStore | null } = {},
): Promise<{ apiToken: ApiTokenRow; secret: string }> {
  const { token, hash, displayPrefix } = generateToken();
  const apiToken = await insertApiToken(db, {
    organizationId,
    userId: 'userId' in owner ? owner.userId : null,
    serviceAccountId: 'serviceAccountId' in owner ? owner.serviceAccountId : null,
    name,
    tokenHash: hash,
    tokenPrefix: displayPrefix,
    createdByUserId: options.createdByUserId ?? null,
    expiresAt: options.expiresAt ?? null,
    scopeAutomationIds: options.scope?.automationIds ?? null,
    scopePermissions: options.scope?.permissions ?? null,
  });
  return { apiToken, secret: token };
}
