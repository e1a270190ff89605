import { OWNER_LEVELS, satisfies, type Feature, type FeatureLevels, type Level } from './features.js';
import type { OrganizationGrant, Principal, VisibilityScope } from './principal.js';

/**
 * The request's authorization state: the principal and its grants, decided once per request and
 * read synchronously by every rule afterwards.
 */
export class Authz {
  constructor(
    readonly principal: Principal | null,
    private readonly grants: ReadonlyMap<number, OrganizationGrant>,
    /** Operates the whole instance (SPEC §5); read with the grants, once per request. */
    readonly instanceAdmin = false,
  ) {}

  static anonymous(): Authz {
    return new Authz(null, new Map());
  }

  /** The principal's grant in an organization; undefined for non-members and other tenants. */
  grant(organizationId: number): OrganizationGrant | undefined {
    return this.grants.get(organizationId);
  }

  organizationIds(): number[] {
    return [...this.grants.keys()];
  }

  /** Owners hold MANAGE on everything whatever their role row says (SPEC §2 "cannot be restricted"). */
  levels(organizationId: number): FeatureLevels | undefined {
    const grant = this.grants.get(organizationId);
    if (!grant) return undefined;
    return grant.isOwner ? OWNER_LEVELS : grant.levels;
  }

  level(organizationId: number, feature: Feature): Level {
    return this.levels(organizationId)?.[feature] ?? 'NO_ACCESS';
  }

  has(organizationId: number, feature: Feature, needed: Level): boolean {
    return this.grants.has(organizationId) && satisfies(this.level(organizationId, feature), needed);
  }

  isOwner(organizationId: number): boolean {
    return this.grants.get(organizationId)?.isOwner ?? false;
  }

  scope(organizationId: number): VisibilityScope | undefined {
    const grant = this.grants.get(organizationId);
    if (!grant || !this.principal) return undefined;
    return {
      organizationId,
      isOwner: grant.isOwner,
      entityRbac: grant.entityRbac,
      gitRepositoryRbac: grant.gitRepositoryRbac,
      userId: this.principal.kind === 'user' ? this.principal.userId : null,
      roleId: grant.roleId,
      serviceAccountId: this.principal.kind === 'service_account' ? this.principal.serviceAccountId : null,
    };
  }

  /** Acting user, for `created_by` columns; null for service accounts. */
  get userId(): string | null {
    return this.principal?.kind === 'user' ? this.principal.userId : null;
  }
}
