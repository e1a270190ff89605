import DataLoader from 'dataloader';
import type { GrantSummary, PackedGrants } from './packed-grants.js';
import type { OrganizationGrant } from './principal.js';

/**
 * A synchronous read of a member organization's grant that nobody loaded: an organization-scoped
 * check that did not await `Authz.ensure`. Never answered as "not a member", which would deny (or,
 * in a NOT_FOUND-shaped rule, hide) what the principal holds: an internal error, logged with the
 * organization, that fails the field.
 */
export class GrantNotLoadedError extends Error {
  constructor(organizationId: number) {
    super(
      `The grant in organization ${organizationId} was read before it was loaded: an organization-scoped check must await ctx.authz.ensure(${organizationId}) before reading it (src/authz/lazy-grants.ts).`,
    );
    this.name = 'GrantNotLoadedError';
  }
}

/**
 * The grants of a user in more organizations than the request's statement packs inline
 * (AUTHZ_INLINE_ORGANIZATIONS, src/authz/authorize-request.ts): its organizations and summary
 * come with the request's statement; an organization's entry is read when the request touches it,
 * all those asked for in one tick in one statement, and kept for the request. Reads are
 * synchronous, as for PackedGrants, once `load` (Authz.ensure) has run: a member organization not
 * loaded throws GrantNotLoadedError. Other organizations are known not to be the user's without
 * a read.
 */
export class LazyGrants {
  /** `,1,7,12,`: a membership is one search of the text, and nothing is parsed unless listed. */
  private readonly members: string;
  private ids: number[] | undefined;
  private readonly entries = new Map<number, OrganizationGrant | undefined>();
  private readonly loader: DataLoader<number, OrganizationGrant | undefined>;
  readonly size: number;

  constructor(
    /** The user's organizations, ids joined by commas (grant_summaries.organization_ids). */
    organizationIds: string,
    memberships: number,
    private readonly grantSummary: GrantSummary,
    read: (organizationIds: readonly number[]) => Promise<PackedGrants>,
  ) {
    this.members = `,${organizationIds},`;
    this.size = memberships;
    this.loader = new DataLoader(async (ids) => {
      const packed = await read(ids);
      return ids.map((id) => {
        // Undefined when the membership ended since the request's statement: not a member now.
        const grant = packed.get(id);
        this.entries.set(id, grant);
        return grant;
      });
    });
  }

  private isMember(organizationId: number): boolean {
    return this.members.includes(`,${organizationId},`);
  }

  get(organizationId: number): OrganizationGrant | undefined {
    if (this.entries.has(organizationId)) return this.entries.get(organizationId);
    if (!this.isMember(organizationId)) return undefined;
    throw new GrantNotLoadedError(organizationId);
  }

  has(organizationId: number): boolean {
    return this.get(organizationId) !== undefined;
  }

  keys(): Iterable<number> {
    this.ids ??= this.members.length > 2 ? this.members.slice(1, -1).split(',').map(Number) : [];
    return this.ids;
  }

  /** As read from grant_summaries by the request's statement. */
  summary(): GrantSummary {
    return this.grantSummary;
  }

  /** Whether `get` answers now: read already, or not one of the user's organizations. */
  loaded(organizationId: number): boolean {
    return this.entries.has(organizationId) || !this.isMember(organizationId);
  }

  /** Reads the entries of those of `organizationIds` that are the user's and not read yet. */
  async load(organizationIds: readonly number[]): Promise<void> {
    const missing = organizationIds.filter((id) => !this.entries.has(id) && this.isMember(id));
    if (missing.length > 0) await Promise.all(missing.map((id) => this.loader.load(id)));
  }
}
