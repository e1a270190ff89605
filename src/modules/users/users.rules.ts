import type { ModuleAuthorization } from '../../authz/authorization-map.js';
import { fieldName, guard } from '../../authz/guard.js';
import { authenticated } from '../../authz/guards.js';
import type { Reach } from '../../authz/permission-set.js';
import { reaches } from '../../authz/permission-set.js';
import { ForbiddenError, NotFoundError, UnauthenticatedError } from '../../errors.js';
import type { GraphQLContext } from '../../graphql/context.js';

function idOf(parent: unknown): string | null {
  return typeof parent === 'object' && parent !== null && 'id' in parent && typeof parent.id === 'string' ? parent.id : null;
}

function organizationIdOf(parent: unknown): number | null {
  return typeof parent === 'object' && parent !== null && 'organizationId' in parent && typeof parent.organizationId === 'number'
    ? parent.organizationId
    : null;
}

/**
 * Every user reads their own email; a service account reads others' only as an administrator of
 * the organization's members. Scoped tokens hold NO_ACCESS on organization_settings, so this
 * hides the field from their service accounts as well.
 */
const emailReach: Reach = (set) =>
  set.kind === 'session' || set.kind === 'user-token' || (set.kind === 'service-account' && set.member && set.levels.organization_settings === 'MANAGE');

/** Holds organization_settings: MANAGE in some organization; from the summary when there is one (it counts Owners as MANAGE). */
function managesMembersSomewhere(ctx: GraphQLContext): boolean {
  const summary = ctx.authz.summary();
  if (summary) return summary.levels.organization_settings === 'MANAGE';
  // A Map or a scoped token's grants, read with the request: no organization is left to load.
  return ctx.authz.organizationIds().some((id) => ctx.authz.has(id, 'organization_settings', 'MANAGE'));
}

/**
 * SPEC §6 "Members' emails are personal data": a user's email is read by that user, and by those
 * who manage the members of an organization the user belongs to (organization_settings: MANAGE).
 * Anyone else, fellow members and service accounts included, reads id and name: the field is null
 * with a FORBIDDEN at its path, and the rest of the answer stays (SPEC §6 "a denial nulls that
 * field alone"). Checked on the field itself because a User is reached from many places
 * (createdBy, deployedBy, members …), and personal data must not rely on each of them.
 */
const readEmail = guard(
  'user:email',
  (parent, _args, ctx, info) => {
    const principal = ctx.authz.principal;
    if (!principal) return new UnauthenticatedError();
    const refused = () =>
      new ForbiddenError(
        `${fieldName(info)} is personal data: only the user and those with organization_settings: MANAGE in an organization of theirs read it; id and name are readable.`,
        { feature: 'organization_settings', requiredLevel: 'MANAGE' },
      );
    const userId = idOf(parent);
    // Decided without a promise where nothing is to be read (a page of the caller's own rows).
    if (userId !== null && principal.kind === 'user' && principal.userId === userId) return true;
    if (userId === null || !managesMembersSomewhere(ctx)) return refused();
    // One batched membership query per tick for a page of users, none for a caller who manages
    // nothing; then the caller's grants in the organizations the two share, and only those.
    return (async () => {
      const organizations = await ctx.loaders.organizationsOfUser.load(userId);
      await ctx.authz.ensure(organizations);
      return organizations.some((id) => ctx.authz.has(id, 'organization_settings', 'MANAGE')) ? true : refused();
    })();
  },
  emailReach,
);

/**
 * A membership of the caller's: from Query.viewer (the request's grants), or the one
 * acceptInvitation has just created, which those grants, read before the mutation, do not hold;
 * the request's loaders are fresh after a mutation (src/graphql/fresh-loaders.middleware.ts).
 */
const callerMembership = guard(
  'viewerMembership:own',
  async (parent, _args, ctx) => {
    const principal = ctx.authz.principal;
    if (!principal) return new UnauthenticatedError();
    const organizationId = organizationIdOf(parent);
    if (organizationId === null) return new NotFoundError('Organization', '?');
    await ctx.authz.ensure(organizationId);
    if (ctx.authz.grant(organizationId)) return true;
    if (
      principal.kind === 'user' &&
      principal.boundOrganizationId === undefined &&
      (await ctx.loaders.organizationsOfUser.load(principal.userId)).includes(organizationId)
    ) {
      return true;
    }
    return new NotFoundError('Organization', organizationId);
  },
  reaches.authenticated,
);

export const usersAuthorization: ModuleAuthorization = {
  rules: {
    Query: { viewer: authenticated },
    User: { email: readEmail },
    ViewerMembership: { organization: callerMembership, role: callerMembership },
  },
  inherits: {
    Viewer: {
      fields: ['user', 'serviceAccount', 'memberships', 'emailVerified', 'pendingInvitations'],
      reason: "the caller itself; Query.viewer needs authentication and every list in it is the caller's own",
    },
    User: {
      fields: ['id', 'name'],
      reason: 'who a person is, never how to reach them; every field returning a User is ruled on an organization of the caller, or is the caller itself',
    },
  },
};
