import type { FeatureLevels } from './features.js';

/**
 * Who is calling (SPEC §1): a user (through a JWT, or an API token bound to one organization) or a
 * service account (always through an API token of its own organization).
 */
export type Principal =
  | {
      kind: 'user';
      userId: string;
      email: string;
      name: string;
      /** Set when authenticated by an API token: the token only acts in this organization. */
      tokenId?: string;
      boundOrganizationId?: number;
    }
  | {
      kind: 'service_account';
      serviceAccountId: string;
      organizationId: number;
      name: string;
      tokenId: string;
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
  isOwner: boolean;
  entityRbac: boolean;
  gitRepositoryRbac: boolean;
  userId: string | null;
  roleId: string;
  serviceAccountId: string | null;
}
