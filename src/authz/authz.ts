import { FEATURES, OWNER_LEVELS, satisfies, type Feature, type FeatureLevels, type Level } from './features.js';
import type { GrantSummary } from './packed-grants.js';
import type { OrganizationGrant, Principal, TokenScope, VisibilityScope } from './principal.js';

/**
 * The principal's grants by organization: a Map, the packed string of the request's one statement
 * (PackedGrants), or a summary with entries read on demand (LazyGrants), whose `load` must have
 * run for an organization before its grant is read.
 */
export interface Grants {
  get(organizationId: number): OrganizationGrant | undefined;
  has(organizationId: number): boolean;
  keys(): Iterable<number>;
  readonly size: number;
  summary?(): GrantSummary;
  load?(organizationIds: readonly number[]): Promise<void>;
  /** Whether `get` answers for this organization without a `load` first. */
  loaded?(organizationId: number): boolean;
}

const LOADED = Promise.resolve();

const SCOPED_LEVELS: FeatureLevels = Object.fromEntries(FEATURES.map((feature) => [feature, 'NO_ACCESS'])) as Record<Feature, Level>;

/**
 * The request's authorization state: the principal and its grants, decided once per request and
 * read synchronously by every rule afterwards. Every check in an organization first awaits
 * `ensure(organizationId)`: for a user in many organizations, that is when the organization's
 * grant is read (LazyGrants); reading it before throws, it never answers "not a member".
 */
export class Authz {
  constructor(
    readonly principal: Principal | null,
    private readonly grants: Grants,
    /** Operates the whole instance (SPEC §5); read with the grants, once per request. */
    readonly instanceAdmin = false,
  ) {}

  static anonymous(): Authz {
    return new Authz(null, new Map());
  }

  /**
   * Makes the grants in these organizations readable synchronously (one statement for all those
   * not read yet, none for grants read with the request). Await it before `grant`, `levels`,
   * `level`, `has`, `isOwner` or `scope` in an organization.
   */
  ensure(organizationIds: number | readonly number[]): Promise<void> {
    if (!this.grants.load) return LOADED;
    return this.grants.load(typeof organizationIds === 'number' ? [organizationIds] : organizationIds);
  }

  /**
   * Whether the grant in this organization is readable now, without awaiting `ensure`: a rule on
   * every item of a page then decides without a promise of its own.
   */
  ensured(organizationId: number): boolean {
    return !this.grants.load || (this.grants.loaded?.(organizationId) ?? false);
  }

  /** The principal's grant in an organization; undefined for non-members and other tenants. */
  grant(organizationId: number): OrganizationGrant | undefined {
    return this.grants.get(organizationId);
  }

  organizationIds(): number[] {
    return [...this.grants.keys()];
  }

  /**
   * The highest levels and flags over every organization, read off the packed grants without
   * parsing each organization, or as grant_summaries keeps them (LazyGrants); undefined where it
   * must be computed per organization (a Map, or a scoped token, whose levels are not its role's).
   */
  summary(): GrantSummary | undefined {
    return this.principal?.scope ? undefined : this.grants.summary?.();
  }

  /**
   * Owners hold MANAGE on everything whatever their role row says (SPEC §2 "cannot be restricted").
   * A scoped API token (SPEC §6) reaches automations only: every other feature is NO_ACCESS for
   * it, so every feature rule refuses it and its role-filtered schema leaves those fields out.
   */
  levels(organizationId: number): FeatureLevels | undefined {
    const grant = this.grants.get(organizationId);
    if (!grant) return undefined;
    const levels = grant.isOwner ? OWNER_LEVELS : grant.levels;
    return this.principal?.scope ? { ...SCOPED_LEVELS, crews_dashboards: levels.crews_dashboards } : levels;
  }

  /** The API token's scope; null for an unscoped token or a session. */
  get tokenScope(): TokenScope | null {
    return this.principal?.scope ?? null;
  }

  level(organizationId: number, feature: Feature): Level {
    return this.levels(organizationId)?.[feature] ?? 'NO_ACCESS';
  }

  has(organizationId: number, feature: Feature, needed: Level): boolean {
    return this.grants.has(organizationId) && satisfies(this.level(organizationId, feature), needed);
  }

  /** For owner-only fields; a scoped token of an Owner is no Owner there (its automations' decisions still count it as one). */
  isOwner(organizationId: number): boolean {
    return !this.principal?.scope && (this.grants.get(organizationId)?.isOwner ?? false);
  }

  scope(organizationId: number): VisibilityScope | undefined {
    const grant = this.grants.get(organizationId);
    if (!grant || !this.principal) return undefined;
    return {
      organizationId,
      tokenScope: this.tokenScope,
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
