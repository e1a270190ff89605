import type { TokenScopePermission } from './entity-permissions.js';
import type { FeatureLevels } from './features.js';

/**
 * An API token's scope (SPEC §6): the token's rights are the intersection of its principal's and
 * these. Only the listed automations exist for it, only the listed permissions apply on them (any
 * implies VIEW), and nothing outside automations, their executions, spans and human-in-the-loop
 * requests is reachable.
 */
export interface TokenScope {
  automationIds: readonly string[];
  permissions: readonly TokenScopePermission[];
}

/**
 * Who is calling (SPEC §1): a user (through a JWT, or an API token bound to one organization) or a
 * service account (always through an API token of its own organization).
 */
export type Principal =
  | {
      kind: 'user';
      userId: string;
      email: string;
      /**
       * `email` is proven: for a JWT, its identity provider asserts it (email_verified) in this
       * very token; for an API token, the user's record says an identity provider did. Only then
       * does the email reach anything addressed to it (invitations).
       */
      emailVerified: boolean;
      name: string;
      /** Set when authenticated by an API token: the token only acts in this organization. */
      tokenId?: string;
      boundOrganizationId?: number;
      scope?: TokenScope;
    }
  | {
      kind: 'service_account';
      serviceAccountId: string;
      organizationId: number;
      name: string;
      tokenId: string;
      scope?: TokenScope;
    };

/** The principal's standing in one organization, loaded once per request. */
export interface OrganizationGrant {
  organizationId: number;
  roleId: string;
  isOwner: boolean;
  levels: FeatureLevels;
  entityRbac: boolean;
  gitRepositoryRbac: boolean;
  /** Some automation grant names the principal (or its role) with manage_settings or full_access. */
  automationManageGrant: boolean;
}

/**
 * What a visibility predicate needs to know about the principal in one organization: the same
 * object feeds the SQL of lists, counts and single-item checks.
 */
export interface VisibilityScope {
  organizationId: number;
  /** The API token's scope, when it has one: lists and checks keep to its automations and permissions. */
  tokenScope: TokenScope | null;
  isOwner: boolean;
  entityRbac: boolean;
  gitRepositoryRbac: boolean;
  userId: string | null;
  roleId: string;
  serviceAccountId: string | null;
}

/** Who is acting, whatever the credential: one user's tokens and sessions share a key. */
export function principalKey(principal: Principal | null): string {
  if (!principal) return 'anonymous';
  return principal.kind === 'user' ? `user:${principal.userId}` : `service-account:${principal.serviceAccountId}`;
}
