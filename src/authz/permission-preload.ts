import { sql } from 'kysely';
import type { Executor } from '../db/database.js';
import { levelsFromColumns } from './features.js';
import type { OrganizationGrant, Principal } from './principal.js';
import { Authz } from './authz.js';
import { isInstanceAdmin } from '../modules/instance-admins/instance-admins.repository.js';

/**
 * The one permission query of a request (STYLE "Decide once per request"): every organization the
 * principal belongs to with its role's feature levels and the organization's RBAC switches.
 * It is the only place that reads memberships, roles and organizations together; reading them
 * fresh on every request is what makes a role change apply on the very next request, on every
 * replica (SPEC §2).
 */
export async function preloadGrants(db: Executor, principal: Principal): Promise<Map<number, OrganizationGrant>> {
  return (await preload(db, principal)).grants;
}

/**
 * The request's authorization state in one statement; a user without any membership (a new JWT
 * session) has no row to carry the instance-administrator flag, and costs a second one.
 */
export async function preloadAuthz(db: Executor, principal: Principal): Promise<Authz> {
  const { grants, instanceAdmin } = await preload(db, principal);
  const admin = instanceAdmin ?? (principal.kind === 'user' ? await isInstanceAdmin(db, principal.userId) : false);
  return new Authz(principal, grants, admin);
}

async function preload(db: Executor, principal: Principal): Promise<{ grants: Map<number, OrganizationGrant>; instanceAdmin: boolean | undefined }> {
  const base = db
    .selectFrom('roles')
    .innerJoin('organizations', 'organizations.id', 'roles.organizationId')
    .select([
      'roles.organizationId',
      'roles.id as roleId',
      'roles.kind',
      'roles.usageDashboards',
      'roles.crewsDashboards',
      'roles.invitations',
      'roles.trainingUi',
      'roles.tools',
      'roles.agents',
      'roles.environmentVariables',
      'roles.llmConnections',
      'roles.defaultSettings',
      'roles.organizationSettings',
      'roles.studioProjects',
      'organizations.entityRbac',
      'organizations.gitRepositoryRbac',
    ])
    // Whether manage_settings on some automation is reachable through a grant, for the
    // role-filtered schema (src/authz/visible-schema); a subquery, so still one round trip. A
    // grant without explicit permissions is full_access (SPEC §3).
    .select((eb) =>
      eb
        .exists(
          eb
            .selectFrom('entityGrants as g')
            .select(sql.lit(1).as('one'))
            .whereRef('g.organizationId', '=', 'roles.organizationId')
            .where('g.resourceType', '=', 'AUTOMATION')
            .where((w) =>
              w.or([
                w('g.roleId', '=', w.ref('roles.id')),
                principal.kind === 'user' ? w('g.userId', '=', principal.userId) : w('g.serviceAccountId', '=', principal.serviceAccountId),
              ]),
            )
            .where(sql<boolean>`(cardinality(g.permissions) = 0 or g.permissions && array['manage_settings', 'full_access']::text[])`),
        )
        .as('automationManageGrant'),
    )
    // Instance administration, for the same reason: the permission set needs it on every request.
    .select(
      (principal.kind === 'user' ? sql<boolean>`exists(select 1 from instance_admins where user_id = ${principal.userId})` : sql<boolean>`false`).as(
        'instanceAdmin',
      ),
    );

  const rows =
    principal.kind === 'user'
      ? await base
          .innerJoin('memberships', (join) =>
            join.onRef('memberships.roleId', '=', 'roles.id').onRef('memberships.organizationId', '=', 'roles.organizationId'),
          )
          .where('memberships.userId', '=', principal.userId)
          .$if(principal.boundOrganizationId !== undefined, (qb) =>
            qb.where('memberships.organizationId', '=', principal.boundOrganizationId ?? -1),
          )
          .execute()
      : await base
          .innerJoin('serviceAccounts', (join) =>
            join.onRef('serviceAccounts.roleId', '=', 'roles.id').onRef('serviceAccounts.organizationId', '=', 'roles.organizationId'),
          )
          .where('serviceAccounts.id', '=', principal.serviceAccountId)
          .where('serviceAccounts.disabledAt', 'is', null)
          .execute();

  const grants = new Map<number, OrganizationGrant>();
  for (const row of rows) {
    const isOwner = row.kind === 'OWNER';
    grants.set(row.organizationId, {
      organizationId: row.organizationId,
      roleId: row.roleId,
      isOwner,
      levels: levelsFromColumns(row),
      entityRbac: row.entityRbac,
      gitRepositoryRbac: row.gitRepositoryRbac,
      automationManageGrant: row.automationManageGrant === true,
    });
  }
  return { grants, instanceAdmin: rows[0] ? rows[0].instanceAdmin === true : undefined };
}
