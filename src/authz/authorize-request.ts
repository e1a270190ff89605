import { CompiledQuery } from 'kysely';
import type { Executor } from '../db/database.js';
import { prepared } from '../db/prepared-statements.js';
import type { Grants } from './authz.js';
import type { TokenScopePermission } from './entity-permissions.js';
import { FEATURES } from './features.js';
import { LazyGrants } from './lazy-grants.js';
import { levelsOf, PackedGrants } from './packed-grants.js';

/**
 * The request's authorization in one statement (issue 16, STYLE "Decide once per request"): the
 * credential (an API token by its hash, or a user by id or sign-in subject), who it acts for, and
 * that principal's grants, read fresh on every request so that a revoked token or a changed role
 * applies at the very next one, on every replica (SPEC §2). The SQL is written once, here, as
 * text: nothing is built per request, and the grants come back as one string (PackedGrants)
 * rather than a row of seventeen columns per organization.
 *
 * A user in more organizations than `inlineOrganizations` (AUTHZ_INLINE_ORGANIZATIONS) gets no
 * entries in that statement: building one per organization costs per membership (30 ms for a
 * thousand), whatever the request touches. Its statement reads the user's summary instead
 * (grant_summaries, kept by triggers: migrations/2026_12_15_100000_grant_summaries.ts), which is
 * all the permission set needs, and an organization's entry is read when the request touches it
 * (LazyGrants, `userGrantsIn`).
 *
 * It is the only place that reads memberships, roles and organizations together.
 */

// One character per feature, in FEATURES order: the first letter of the level (of a role, or of
// a summary).
const LEVEL_LETTERS = (alias: string) => `concat(${FEATURES.map((feature) => `left(${alias}.${feature}, 1)`).join(', ')})`;

/** A grant on some automation, to the principal or its role, that includes manage_settings (an empty list is full_access, SPEC §3). */
function manageGrant(principal: string): string {
  // The same predicate as the partial indexes entity_grants_manage_*_idx, which serve these probes.
  const grants = (who: string) => `exists (select 1 from entity_grants g where g.organization_id = r.organization_id and ${who}
      and g.resource_type = 'AUTOMATION' and (cardinality(g.permissions) = 0 or g.permissions && array['manage_settings', 'full_access']::text[]))`;
  return `(${grants('g.role_id = r.id')} or ${grants(principal)})`;
}

/** PackedGrants' entry of the role `r` in organization `o`. */
function entry(principal: string): string {
  const flag = (condition: string) => `case when ${condition} then '1' else '0' end`;
  return `concat_ws(',', r.organization_id, r.id, concat(${flag(`r.kind = 'OWNER'`)}, ${flag('o.entity_rbac')}, ${flag('o.git_repository_rbac')}, ${flag(manageGrant(principal))}), ${LEVEL_LETTERS('r')})`;
}

/** A user's memberships: all of them, or those of the organizations `where` keeps (a token's one, those a request touches). */
const USER_GRANTS = (user: string, where: string) => `(select string_agg(${entry(`g.user_id = ${user}`)}, ';')
    from memberships m
    join roles r on r.id = m.role_id and r.organization_id = m.organization_id
    join organizations o on o.id = m.organization_id
    where m.user_id = ${user} and ${where})`;

const SERVICE_ACCOUNT_GRANTS = (account: string) => `(select ${entry(`g.service_account_id = ${account}`)}
    from service_accounts s
    join roles r on r.id = s.role_id and r.organization_id = s.organization_id
    join organizations o on o.id = s.organization_id
    where s.id = ${account} and s.disabled_at is null)`;

const INSTANCE_ADMIN = (user: string) => `exists (select 1 from instance_admins a where a.user_id = ${user})`;

// Column aliases are snake_case: the CamelCasePlugin turns them into the fields of the interfaces below.
const TOKEN_SQL = prepared(
  'gatehouse_authorize_token',
  `select t.id as token_id, t.organization_id as organization_id, t.user_id as user_id, t.service_account_id as service_account_id,
    t.last_used_at as last_used_at, t.scope_automation_ids as scope_automation_ids, t.scope_permissions as scope_permissions,
    u.email, u.email_verified as email_verified, u.name as user_name,
    s.name as account_name, s.organization_id as account_organization_id, s.disabled_at is not null as account_disabled,
    case when t.user_id is null then false else ${INSTANCE_ADMIN('t.user_id')} end as instance_admin,
    case when t.user_id is null then ${SERVICE_ACCOUNT_GRANTS('t.service_account_id')} else ${USER_GRANTS('t.user_id', 'm.organization_id = t.organization_id')} end as grants
  from api_tokens t
  left join users u on u.id = t.user_id
  left join service_accounts s on s.id = t.service_account_id
  where t.token_hash = $1 and t.revoked_at is null and (t.expires_at is null or t.expires_at > now())`,
);

// $2 is the inline limit. In one (the grants) or the other (the summary, the organizations) form;
// a user without a summary row has no membership, or memberships from before the summaries
// existed: the entries answer for both.
const USER_SQL = (where: string) => `select u.id, u.email, u.email_verified as email_verified, u.name, u.auth_subject as auth_subject,
    ${INSTANCE_ADMIN('u.id')} as instance_admin,
    case when coalesce(s.memberships, 0) <= $2 then ${USER_GRANTS('u.id', 'true')} end as grants,
    case when s.memberships > $2 then s.memberships end as memberships,
    case when s.memberships > $2 then s.organization_ids end as organization_ids,
    case when s.memberships > $2 then s.owner end as summary_owner,
    case when s.memberships > $2 then ${LEVEL_LETTERS('s')} end as summary_levels,
    case when s.memberships > $2 then s.automation_manage_grant end as summary_manage_grant
  from users u left join grant_summaries s on s.user_id = u.id where ${where}`;
const USER_BY_SUBJECT_SQL = prepared('gatehouse_authorize_subject', USER_SQL('u.auth_subject = $1'));
const USER_BY_ID_SQL = prepared('gatehouse_authorize_user', USER_SQL('u.id = $1'));

const SERVICE_ACCOUNT_SQL = prepared('gatehouse_authorize_service_account', `select ${SERVICE_ACCOUNT_GRANTS('$1::uuid')} as grants`);
const USER_TOKEN_GRANTS_SQL = prepared(
  'gatehouse_authorize_user_token',
  `select ${INSTANCE_ADMIN('$1::uuid')} as instance_admin, ${USER_GRANTS('$1::uuid', '($2::integer is null or m.organization_id = $2)')} as grants`,
);
const USER_GRANTS_IN_SQL = prepared('gatehouse_grants_in', `select ${USER_GRANTS('$1::uuid', 'm.organization_id = any($2::integer[])')} as grants`);

export interface TokenAuthorization {
  tokenId: string;
  organizationId: number;
  userId: string | null;
  serviceAccountId: string | null;
  lastUsedAt: Date | null;
  scopeAutomationIds: string[] | null;
  scopePermissions: TokenScopePermission[] | null;
  email: string | null;
  emailVerified: boolean | null;
  userName: string | null;
  accountName: string | null;
  accountOrganizationId: number | null;
  accountDisabled: boolean | null;
  instanceAdmin: boolean;
  grants: PackedGrants;
}

export interface UserAuthorization {
  id: string;
  email: string;
  emailVerified: boolean;
  name: string;
  authSubject: string | null;
  instanceAdmin: boolean;
  /** Every entry (PackedGrants), or above the inline limit the summary and entries on demand (LazyGrants). */
  grants: Grants;
}

type Raw<T> = Omit<T, 'grants'> & { grants: string | null };

interface UserRow extends Raw<UserAuthorization> {
  memberships: number | null;
  organizationIds: string | null;
  summaryOwner: boolean | null;
  summaryLevels: string | null;
  summaryManageGrant: boolean | null;
}

async function one<T>(db: Executor, text: string, parameters: readonly unknown[]): Promise<T | undefined> {
  const { rows } = await db.executeQuery<T>(CompiledQuery.raw(text, [...parameters]));
  return rows[0];
}

/** An active API token by its hash, with its principal and grants; undefined for an unknown, revoked or expired one. */
export async function authorizeToken(db: Executor, tokenHash: Buffer): Promise<TokenAuthorization | undefined> {
  const row = await one<Raw<TokenAuthorization>>(db, TOKEN_SQL, [tokenHash]);
  return row && { ...row, grants: new PackedGrants(row.grants) };
}

/**
 * A user by sign-in subject (a JWT's `sub`) with its grants: every entry for a user in at most
 * `inlineOrganizations` organizations, else its summary and each organization's entry on demand.
 */
export async function authorizeSubject(db: Executor, subject: string, inlineOrganizations: number): Promise<UserAuthorization | undefined> {
  return userAuthorization(db, await one<UserRow>(db, USER_BY_SUBJECT_SQL, [subject, inlineOrganizations]));
}

/** A user by id with its grants, as authorizeSubject. */
export async function authorizeUser(db: Executor, userId: string, inlineOrganizations: number): Promise<UserAuthorization | undefined> {
  return userAuthorization(db, await one<UserRow>(db, USER_BY_ID_SQL, [userId, inlineOrganizations]));
}

function userAuthorization(db: Executor, row: UserRow | undefined): UserAuthorization | undefined {
  if (!row) return undefined;
  const { memberships, organizationIds, summaryOwner, summaryLevels, summaryManageGrant, grants, ...user } = row;
  if (memberships === null || organizationIds === null || summaryLevels === null) return { ...user, grants: new PackedGrants(grants) };
  const summary = {
    member: memberships > 0,
    owner: summaryOwner === true,
    levels: levelsOf(summaryLevels),
    automationManageGrant: summaryManageGrant === true,
  };
  return { ...user, grants: new LazyGrants(organizationIds, memberships, summary, (ids) => userGrantsIn(db, user.id, ids)) };
}

/** A user's entries in some organizations (LazyGrants): those of which it is a member. */
export async function userGrantsIn(db: Executor, userId: string, organizationIds: readonly number[]): Promise<PackedGrants> {
  const row = await one<{ grants: string | null }>(db, USER_GRANTS_IN_SQL, [userId, organizationIds]);
  return new PackedGrants(row?.grants ?? null);
}

/** The grants of a principal already known (webhook registrants, tests): a user (of one organization, when bound) or a service account. */
export async function grantsOf(
  db: Executor,
  principal: { kind: 'user'; userId: string; boundOrganizationId?: number } | { kind: 'service_account'; serviceAccountId: string },
): Promise<{ grants: PackedGrants; instanceAdmin: boolean }> {
  if (principal.kind === 'service_account') {
    const row = await one<{ grants: string | null }>(db, SERVICE_ACCOUNT_SQL, [principal.serviceAccountId]);
    return { grants: new PackedGrants(row?.grants ?? null), instanceAdmin: false };
  }
  const row = await one<{ instanceAdmin: boolean; grants: string | null }>(db, USER_TOKEN_GRANTS_SQL, [
    principal.userId,
    principal.boundOrganizationId ?? null,
  ]);
  return { grants: new PackedGrants(row?.grants ?? null), instanceAdmin: row?.instanceAdmin === true };
}
