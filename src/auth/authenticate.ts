import type { Logger } from 'pino';
import type { Principal } from '../authz/principal.js';
import { hashToken, looksLikeApiToken } from '../crypto/opaque-token.js';
import type { Db } from '../db/database.js';
import { isUniqueViolation } from '../db/errors.js';
import { UnauthenticatedError } from '../errors.js';
import { Authz } from '../authz/authz.js';
import { authorizeSubject, authorizeToken, authorizeUser } from '../authz/authorize-request.js';
import { touchLastUsed } from '../modules/api-tokens/api-tokens.repository.js';
import { findUserByEmail, findUserBySubject, insertUser, linkSubject, markEmailVerified } from '../modules/users/users.repository.js';
import type { UserRow } from '../modules/users/users.table.js';
import type { JwtVerifier, VerifiedIdentity } from './jwt-verifier.js';

const INVALID_TOKEN = 'The API token is invalid, expired or revoked: create a new one (createApiToken, or `gatehouse token create`).';

/**
 * Turns `Authorization: Bearer <token>` into a principal (SPEC §1): an opaque API token
 * (`gth_…`, looked up by hash), or a JWT. No header: anonymous, and every rule but the public
 * ones answers UNAUTHENTICATED.
 */
export class Authenticator {
  constructor(
    private readonly db: Db,
    private readonly verifyJwt: JwtVerifier | undefined,
    private readonly logger: Logger,
    /** AUTHZ_INLINE_ORGANIZATIONS: above it, a session's grants are read per organization on demand. */
    private readonly inlineOrganizations: number,
  ) {}

  /**
   * The caller and what it may do, decided once for the request: one statement reads the
   * credential, its principal and the principal's grants (src/authz/authorize-request.ts). Null
   * without an Authorization header.
   */
  async authorize(authorization: string | undefined): Promise<{ principal: Principal; authz: Authz } | null> {
    if (authorization === undefined || authorization === '') return null;
    const match = /^Bearer ([A-Za-z0-9._~+/=-]{1,4096})$/.exec(authorization);
    if (!match?.[1]) throw new UnauthenticatedError('The Authorization header must be "Bearer <token>".');
    const token = match[1];
    return looksLikeApiToken(token) ? this.fromApiToken(token) : this.fromJwt(token);
  }

  private async fromApiToken(token: string): Promise<{ principal: Principal; authz: Authz }> {
    const row = await authorizeToken(this.db, hashToken(token));
    if (!row) throw new UnauthenticatedError(INVALID_TOKEN);
    const now = new Date();
    if (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() > 60_000) await touchLastUsed(this.db, row.tokenId, now);
    const scope = row.scopeAutomationIds && row.scopePermissions ? { scope: { automationIds: row.scopeAutomationIds, permissions: row.scopePermissions } } : {};
    let principal: Principal;
    if (row.userId) {
      if (row.email === null || row.userName === null) throw new UnauthenticatedError(INVALID_TOKEN);
      principal = {
        kind: 'user',
        userId: row.userId,
        email: row.email,
        emailVerified: row.emailVerified === true,
        name: row.userName,
        tokenId: row.tokenId,
        boundOrganizationId: row.organizationId,
        ...scope,
      };
    } else {
      if (!row.serviceAccountId || row.accountName === null || row.accountOrganizationId === null || row.accountDisabled !== false) {
        throw new UnauthenticatedError('This service account is disabled; ask an administrator to enable a new one.');
      }
      principal = {
        kind: 'service_account',
        serviceAccountId: row.serviceAccountId,
        organizationId: row.accountOrganizationId,
        name: row.accountName,
        tokenId: row.tokenId,
        ...scope,
      };
    }
    return { principal, authz: new Authz(principal, row.grants, row.instanceAdmin) };
  }

  private async fromJwt(token: string): Promise<{ principal: Principal; authz: Authz }> {
    if (!this.verifyJwt) {
      throw new UnauthenticatedError('This gateway accepts API tokens only (gth_…): no JWT issuer is configured (AUTH_JWKS_URL).');
    }
    let verified: VerifiedIdentity;
    try {
      verified = await this.verifyJwt(token);
    } catch (error) {
      this.logger.info({ reason: error instanceof Error ? error.message : String(error) }, 'JWT refused');
      throw new UnauthenticatedError('The JWT is invalid or expired: sign in again.');
    }
    // The usual case, a known user with nothing to record, is one statement; a new user, a link by
    // email or a first verification write first and then read the grants.
    let authorized = await authorizeSubject(this.db, verified.subject, this.inlineOrganizations);
    if (!authorized || (!authorized.emailVerified && verified.emailVerified && sameEmail(verified.email, authorized.email))) {
      const user = await this.userFor(verified);
      authorized = await authorizeUser(this.db, user.id, this.inlineOrganizations);
      if (!authorized) throw new UnauthenticatedError('The JWT is invalid or expired: sign in again.');
    }
    // Proven for this request only when this token asserts the very address the user holds.
    const emailVerified = authorized.emailVerified && verified.emailVerified && sameEmail(verified.email, authorized.email);
    const principal: Principal = { kind: 'user', userId: authorized.id, email: authorized.email, emailVerified, name: authorized.name };
    return { principal, authz: new Authz(principal, authorized.grants, authorized.instanceAdmin) };
  }

  /**
   * Finds the JWT's user, links an existing user by verified email, or creates one. An address the
   * identity provider does not mark verified claims nothing: not an existing user (linking), not
   * the address's unique slot (the user is created with it unverified, see
   * migrations/2026_12_11_100000_email_verified.ts), and so no invitation either.
   */
  private async userFor(identity: VerifiedIdentity): Promise<UserRow> {
    const known = await findUserBySubject(this.db, identity.subject);
    if (known) return this.recordVerification(known, identity);
    if (!identity.email) throw new UnauthenticatedError('The JWT has no "email" claim; the identity provider must send one.');
    const byEmail = await findUserByEmail(this.db, identity.email);
    if (byEmail) {
      if (!identity.emailVerified) {
        throw new UnauthenticatedError(
          'A user with this email exists; the identity provider must mark the email verified (email_verified) to sign in as them.',
        );
      }
      const linked = await linkSubject(this.db, byEmail.id, identity.subject);
      if (!linked) throw new UnauthenticatedError('This email is already linked to another sign-in identity.');
      return linked;
    }
    try {
      return await insertUser(this.db, {
        email: identity.email,
        name: identity.name ?? identity.email,
        authSubject: identity.subject,
        emailVerified: identity.emailVerified,
      });
    } catch (error) {
      // Two first requests of the same new user at once: the other one created it.
      if (isUniqueViolation(error)) {
        const created = await findUserBySubject(this.db, identity.subject);
        if (created) return created;
      }
      throw error;
    }
  }

  /**
   * A user created with an unverified address becomes verified the first time its identity
   * provider asserts that address. If another user holds the address verified meanwhile (the real
   * owner signed up, or an operator named it), that user keeps it and this one stays unverified.
   */
  private async recordVerification(user: UserRow, identity: VerifiedIdentity): Promise<UserRow> {
    if (user.emailVerified || !identity.emailVerified || !sameEmail(identity.email, user.email)) return user;
    const verified = await markEmailVerified(this.db, user.id);
    if (verified) return verified;
    this.logger.info({ userId: user.id }, 'email verified by the identity provider, but another user already holds it verified; left unverified');
    return user;
  }
}

/** Email addresses compare case-insensitively, as the `lower(email)` index does. */
function sameEmail(a: string | undefined, b: string): boolean {
  return a !== undefined && a.toLowerCase() === b.toLowerCase();
}
