import type { GraphQLResolveInfo } from 'graphql';
import type { IRule } from 'graphql-shield';
import { ForbiddenError, NotFoundError, UnauthenticatedError } from '../errors.js';
import type { GraphQLContext } from '../graphql/context.js';
import { parseOrganizationId, parseUuid } from '../graphql/ids.js';
import { satisfies, type Feature, type Level } from './features.js';
import { fieldName, guard, type Decision } from './guard.js';
import type { Principal, VisibilityScope } from './principal.js';
import { reaches, type Reach } from './permission-set.js';

/**
 * The rule vocabulary of SPEC §2 and §3. Every module's `*.rules.ts` is written with these; the
 * order of checks is always: authenticated → member of the organization (else NOT_FOUND, as for
 * an id that does not exist) → feature level (FORBIDDEN naming feature and level) → entity access
 * (NOT_FOUND: an entity one may not see does not exist for one).
 */

/** Where a field finds the organization it acts in. */
export type OrgSource =
  | 'parent.id' // fields of Organization
  | 'parent.organizationId' // fields of an entity row
  | 'args.organizationId' // create mutations and org-scoped queries
  | 'args.id'; // Query.organization

function organizationOf(source: OrgSource, parent: unknown, args: Record<string, unknown>): number | null {
  switch (source) {
    case 'parent.id':
      return typeof parent === 'object' && parent !== null && 'id' in parent && typeof parent.id === 'number' ? parent.id : null;
    case 'parent.organizationId':
      return typeof parent === 'object' && parent !== null && 'organizationId' in parent && typeof parent.organizationId === 'number'
        ? parent.organizationId
        : null;
    case 'args.organizationId':
      return parseOrganizationId(args.organizationId);
    case 'args.id':
      return parseOrganizationId(args.id);
  }
}

function shownId(source: OrgSource, args: Record<string, unknown>): string {
  if (source === 'args.organizationId') return String(args.organizationId);
  return source === 'args.id' ? String(args.id) : '?';
}

/** Reads the principal's level: the caller has awaited `ctx.authz.ensure(organizationId)`. */
export function featureDecision(ctx: GraphQLContext, organizationId: number, feature: Feature, needed: Level, field: string): Decision {
  const held = ctx.authz.level(organizationId, feature);
  if (satisfies(held, needed)) return true;
  if (ctx.authz.tokenScope) return scopedTokenRefusal(field);
  return new ForbiddenError(`${field} needs ${feature}: ${needed}; your role has ${held} in this organization.`, {
    feature,
    requiredLevel: needed,
    level: held,
  });
}

export const authenticated: IRule = guard(
  'authenticated',
  (_parent, _args, ctx) => (ctx.authz.principal ? true : new UnauthenticatedError()),
  reaches.authenticated,
);

/** For actions only a person may take (creating organizations, accepting invitations). */
export const signedInUser: IRule = guard(
  'signedInUser',
  (_parent, _args, ctx) => {
    const principal = ctx.authz.principal;
    if (!principal) return new UnauthenticatedError();
    if (principal.kind !== 'user' || principal.boundOrganizationId !== undefined) {
      return new ForbiddenError('This action needs a signed-in user (a JWT session); API tokens act inside one organization only.');
    }
    return true;
  },
  reaches.signedInUser,
);

/**
 * A rule about one organization: authenticated (else UNAUTHENTICATED), then a member there with
 * the grant loaded (else NOT_FOUND, as for an id that does not exist), then `decide`.
 */
function inOrganization(
  name: string,
  source: OrgSource,
  decide: (ctx: GraphQLContext, organizationId: number, principal: Principal, info: GraphQLResolveInfo) => Decision,
  reach: Reach,
): IRule {
  return guard(
    name,
    (parent, args, ctx, info) => {
      const principal = ctx.authz.principal;
      if (!principal) return new UnauthenticatedError();
      const organizationId = organizationOf(source, parent, args);
      const decideLoaded = (): Decision => {
        if (organizationId === null || !ctx.authz.grant(organizationId)) return new NotFoundError('Organization', shownId(source, args));
        return decide(ctx, organizationId, principal, info);
      };
      // The grant is read once per request; the items of a page after the first decide at once.
      if (organizationId === null || ctx.authz.ensured(organizationId)) return decideLoaded();
      return ctx.authz.ensure(organizationId).then(decideLoaded);
    },
    reach,
  );
}

/** Any member of the organization, whatever their levels. */
export function member(source: OrgSource): IRule {
  return inOrganization(`member:${source}`, source, () => true, reaches.member);
}

/** A feature level in the organization (SPEC §2). */
export function feature(name: Feature, needed: Level, source: OrgSource): IRule {
  return inOrganization(
    `feature:${name}:${needed}:${source}`,
    source,
    (ctx, organizationId, _principal, info) => featureDecision(ctx, organizationId, name, needed, fieldName(info)),
    reaches.feature(name, needed),
  );
}

/**
 * People of the organization, and integrations that administer it: a service account (a partner
 * integration, SPEC §1) sees the organization's members and roles only with organization_settings:
 * MANAGE, so a token granted one automation's traces learns nothing else.
 */
export function memberPerson(source: OrgSource): IRule {
  return inOrganization(
    `memberPerson:${source}`,
    source,
    (ctx, organizationId, principal, info) => {
      if (principal.scope) return scopedTokenRefusal(fieldName(info));
      if (principal.kind === 'user') return true;
      return featureDecision(ctx, organizationId, 'organization_settings', 'MANAGE', `${fieldName(info)} for a service account`);
    },
    reaches.memberPerson,
  );
}

/** What a scoped API token hears outside automations (SPEC §6). */
export function scopedTokenRefusal(field: string): ForbiddenError {
  return new ForbiddenError(`${field} is not available to a scoped API token, which reaches only the automations of its scope; use an unscoped token.`, {
    tokenScope: true,
  });
}

/** Any member acting with an unscoped credential (its own API tokens, say). */
export function unscopedMember(source: OrgSource): IRule {
  return inOrganization(
    `unscopedMember:${source}`,
    source,
    (_ctx, _organizationId, principal, info) => (principal.scope ? scopedTokenRefusal(fieldName(info)) : true),
    reaches.unscopedMember,
  );
}

/**
 * A feature level, for a field no scoped token may use even where its principal could (deploying
 * and uploading: a scope names automations that exist, SPEC §6).
 */
export function unscopedFeature(name: Feature, needed: Level, source: OrgSource): IRule {
  const byLevel = reaches.feature(name, needed);
  return inOrganization(
    `unscopedFeature:${name}:${needed}:${source}`,
    source,
    (ctx, organizationId, principal, info) =>
      principal.scope ? scopedTokenRefusal(fieldName(info)) : featureDecision(ctx, organizationId, name, needed, fieldName(info)),
    (set) => set.tokenScope === null && byLevel(set),
  );
}

export function ownerOnly(source: OrgSource): IRule {
  return inOrganization(
    `owner:${source}`,
    source,
    (ctx, organizationId, _principal, info) => (ctx.authz.isOwner(organizationId) ? true : new ForbiddenError(`${fieldName(info)} needs the Owner role.`)),
    reaches.owner,
  );
}

export interface EntityRuleOptions {
  /** GraphQL type name, for messages: `Tool "…" was not found`. */
  typeName: string;
  /** Argument that carries the entity id. */
  idArg?: string;
  /** Unscoped lookup by id (a request-cached DataLoader); only its organization is used. */
  load: (ctx: GraphQLContext, id: string) => Promise<{ organizationId: number } | null | undefined>;
  feature: Feature;
  level: Level;
  /** Entity access (SPEC §3): resolves to false when the principal may not see this entity. */
  visible?: (ctx: GraphQLContext, id: string, scope: VisibilityScope) => Promise<boolean>;
}

/** Mutations and queries that take the id of one entity. */
export function entity(options: EntityRuleOptions): IRule {
  const idArg = options.idArg ?? 'id';
  return guard(
    `entity:${options.typeName}:${idArg}:${options.feature}:${options.level}`,
    async (_parent, args, ctx, info) => {
      if (!ctx.authz.principal) return new UnauthenticatedError();
      const raw = args[idArg];
      const id = parseUuid(raw);
      const notFound = new NotFoundError(options.typeName, typeof raw === 'string' ? raw : '');
      if (id === null) return notFound;
      const row = await options.load(ctx, id);
      if (!row) return notFound;
      await ctx.authz.ensure(row.organizationId);
      const scope = ctx.authz.scope(row.organizationId);
      if (!scope) return notFound;
      const decision = featureDecision(ctx, row.organizationId, options.feature, options.level, fieldName(info));
      if (decision !== true) return decision;
      if (options.visible && !(await options.visible(ctx, id, scope))) return notFound;
      return true;
    },
    reaches.feature(options.feature, options.level),
  );
}
