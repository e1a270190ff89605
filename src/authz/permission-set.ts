import type { TokenScopePermission } from './entity-permissions.js';
import type { Authz } from './authz.js';
import { FEATURES, LEVELS, satisfies, type Feature, type FeatureLevels, type Level } from './features.js';

/**
 * What a principal can reach anywhere, independent of any one entity: the key of its schema
 * (src/authz/visible-schema). Levels are the highest the principal holds in any of its
 * organizations, so a user of several organizations sees the union of what each allows; entity
 * access is decided per entity at execution, as before.
 */
export interface PermissionSet {
  kind: 'anonymous' | 'session' | 'user-token' | 'service-account';
  member: boolean;
  owner: boolean;
  levels: FeatureLevels;
  instanceAdmin: boolean;
  /** Holds a grant on some automation that includes manage_settings (or full_access). */
  automationManageGrant: boolean;
  /** A scoped API token's permissions (SPEC §6), sorted; null when unscoped. */
  tokenScope: readonly TokenScopePermission[] | null;
}

/** A field's static reach: whether some entity could exist on which its rule allows this set. */
export type Reach = (set: PermissionSet) => boolean;

function highest(levels: readonly Level[]): Level {
  return levels.reduce<Level>((best, level) => (satisfies(level, best) ? level : best), 'NO_ACCESS');
}

export function permissionSetOf(authz: Authz): PermissionSet {
  const principal = authz.principal;
  const kind = !principal
    ? 'anonymous'
    : principal.kind === 'service_account'
      ? 'service-account'
      : principal.boundOrganizationId === undefined
        ? 'session'
        : 'user-token';
  const summary = authz.summary();
  if (summary) {
    const { member, owner, levels, automationManageGrant } = summary;
    return { kind, member, owner, levels, instanceAdmin: authz.instanceAdmin, automationManageGrant, tokenScope: null };
  }
  const organizations = authz.organizationIds();
  const levels = Object.fromEntries(FEATURES.map((feature) => [feature, highest(organizations.map((id) => authz.level(id, feature)))])) as Record<
    Feature,
    Level
  >;
  return {
    kind,
    member: organizations.length > 0,
    owner: organizations.some((id) => authz.isOwner(id)),
    levels,
    instanceAdmin: authz.instanceAdmin,
    // A grant counts only where automations are reachable at all (SPEC §3 rule 2: crews_dashboards
    // NO_ACCESS denies whatever the grant says).
    automationManageGrant: organizations.some((id) => (authz.grant(id)?.automationManageGrant ?? false) && authz.level(id, 'crews_dashboards') !== 'NO_ACCESS'),
    tokenScope: authz.tokenScope ? [...new Set(authz.tokenScope.permissions)].sort() : null,
  };
}

/** A short, stable key: same set, same key, whatever the organizations or entities behind it. */
export function permissionSetKey(set: PermissionSet): string {
  const levels = FEATURES.map((feature) => LEVELS.indexOf(set.levels[feature])).join('');
  const scope = set.tokenScope ? `s=${set.tokenScope.join(',')}` : '-';
  return [set.kind, set.member ? 'm' : '-', set.owner ? 'o' : '-', set.instanceAdmin ? 'a' : '-', set.automationManageGrant ? 'g' : '-', levels, scope].join(
    ':',
  );
}

/** Reaches of the guards in src/authz/guards.ts. */
export const reaches = {
  authenticated: ((set) => set.kind !== 'anonymous') as Reach,
  signedInUser: ((set) => set.kind === 'session') as Reach,
  member: ((set) => set.member) as Reach,
  feature:
    (feature: Feature, needed: Level): Reach =>
    (set) =>
      set.member && satisfies(set.levels[feature], needed),
  owner: ((set) => set.owner) as Reach,
  /** People may see people; a service account only with organization_settings: MANAGE. */
  memberPerson: ((set) => set.member && set.tokenScope === null && (set.kind !== 'service-account' || set.levels.organization_settings === 'MANAGE')) as Reach,
  /** Members acting with an unscoped credential: a scoped token reaches automations only. */
  unscopedMember: ((set) => set.member && set.tokenScope === null) as Reach,
  instanceAdmin: ((set) => set.kind !== 'anonymous' && set.kind !== 'service-account' && set.instanceAdmin) as Reach,
};
