import { columnsFromLevels, ROLE_TEMPLATES } from '../authz/features.js';
import type { Db } from '../db/database.js';
import type { TokenScopePermission } from '../authz/entity-permissions.js';
import { issueApiToken } from '../modules/api-tokens/issue-token.js';
import type { ScopeToStore } from '../modules/api-tokens/token-scope.js';
import { findAutomationsByIds } from '../modules/automations/automations.repository.js';
import { parseUuid } from '../graphql/ids.js';
import { findMembership, insertMembership } from '../modules/members/members.repository.js';
import { createOrganization } from '../modules/organizations/create-organization.js';
import { findOrganizationsByIds } from '../modules/organizations/organizations.repository.js';
import { findRoleByKind, insertRole } from '../modules/roles/roles.repository.js';
import { findServiceAccountsByIds } from '../modules/service-accounts/service-accounts.repository.js';
import { findOrCreateUserByEmail, findUserByEmail } from '../modules/users/users.repository.js';
import { CliError } from './cli-error.js';

// In a module of its own so that `gatehouse --help` loads nothing else; re-exported for the commands.
export { CliError };

export interface OrgCreated {
  organizationId: number;
  ownerUserId: string;
  token: string;
}

/** `gatehouse org create`: the organization, its Owner (created if new) and the Owner's API token. */
export async function orgCreate(db: Db, name: string, ownerEmail: string): Promise<OrgCreated> {
  const owner = await findOrCreateUserByEmail(db, ownerEmail);
  const organization = await createOrganization(db, name, owner.id);
  const { secret } = await issueApiToken(db, organization.id, { userId: owner.id }, 'created by gatehouse org create');
  return { organizationId: organization.id, ownerUserId: owner.id, token: secret };
}

export interface TokenCreateOptions {
  organizationId: number;
  userEmail?: string | undefined;
  serviceAccountId?: string | undefined;
  name: string;
  expiresInDays?: number | undefined;
  scopeAutomationIds?: string[] | undefined;
  scopePermissions?: string[] | undefined;
}

const SCOPE_PERMISSIONS: readonly TokenScopePermission[] = ['VIEW', 'RUN', 'TRACES', 'MANAGE_SETTINGS', 'HUMAN_IN_THE_LOOP'];

function isScopePermission(value: string): value is TokenScopePermission {
  return (SCOPE_PERMISSIONS as readonly string[]).includes(value);
}

/** The scope options, checked against the organization's live automations (SPEC §6); null when neither is given. */
async function scopeOption(db: Db, organizationId: number, options: TokenCreateOptions): Promise<ScopeToStore | null> {
  const ids = options.scopeAutomationIds ?? [];
  const permissions = options.scopePermissions ?? [];
  if (ids.length === 0 && permissions.length === 0) return null;
  if (ids.length === 0 || permissions.length === 0) throw new CliError('A scope needs both --scope-automation ID and --scope-permission P (each repeatable).');
  const unknown = permissions.find((p) => !isScopePermission(p));
  if (unknown !== undefined) throw new CliError(`--scope-permission ${unknown} is not one of ${SCOPE_PERMISSIONS.join(', ')}.`);
  const found = new Set(
    (
      await findAutomationsByIds(
        db,
        ids.filter((id) => parseUuid(id) !== null),
      )
    )
      .filter((a) => a.organizationId === organizationId && a.deletedAt === null)
      .map((a) => a.id),
  );
  const missing = ids.find((id) => !found.has(id));
  if (missing !== undefined) throw new CliError(`--scope-automation ${missing} is not an automation of organization ${organizationId}.`);
  return { automationIds: [...new Set(ids)], permissions: [...new Set(permissions.filter(isScopePermission))] };
}

/** `gatehouse token create`: a token for an existing member or service account of the organization. */
export async function tokenCreate(db: Db, options: TokenCreateOptions) {
  const [organization] = await findOrganizationsByIds(db, [options.organizationId]);
  if (!organization) throw new CliError(`Organization ${options.organizationId} does not exist.`);
  const expiresAt = options.expiresInDays ? new Date(Date.now() + options.expiresInDays * 86_400_000) : null;
  const scope = await scopeOption(db, organization.id, options);
  if (options.userEmail) {
    const user = await findUserByEmail(db, options.userEmail);
    if (!user || !(await findMembership(db, organization.id, user.id))) {
      throw new CliError(`${options.userEmail} is not a member of organization ${organization.id}.`);
    }
    const { apiToken, secret } = await issueApiToken(db, organization.id, { userId: user.id }, options.name, { expiresAt, scope });
    return { organizationId: organization.id, tokenId: apiToken.id, userId: user.id, token: secret, scope };
  }
  if (options.serviceAccountId) {
    const [account] = await findServiceAccountsByIds(db, [options.serviceAccountId]);
    if (!account || account.organizationId !== organization.id) {
      throw new CliError(`Service account ${options.serviceAccountId} does not exist in organization ${organization.id}.`);
    }
    const { apiToken, secret } = await issueApiToken(db, organization.id, { serviceAccountId: account.id }, options.name, { expiresAt, scope });
    return { organizationId: organization.id, tokenId: apiToken.id, serviceAccountId: account.id, token: secret, scope };
  }
  throw new CliError('Name who the token is for: --user-email EMAIL or --service-account ID.');
}

/** `gatehouse demo`: an example organization with one user per predefined role and template. */
export async function demo(db: Db) {
  const created = await orgCreate(db, `Demo ${new Date().toISOString().slice(0, 16)}`, 'owner@demo.gatehouse.local');
  const organizationId = created.organizationId;
  const users: Array<{ role: string; email: string; token: string }> = [{ role: 'Owner', email: 'owner@demo.gatehouse.local', token: created.token }];
  const member = await findRoleByKind(db, organizationId, 'MEMBER');
  const roles: Array<{ name: string; id: string }> = [{ name: 'Member', id: member.id }];
  for (const template of ROLE_TEMPLATES) {
    const role = await insertRole(db, {
      organizationId,
      name: template.name,
      kind: 'CUSTOM',
      template: template.template,
      description: template.description,
      ...columnsFromLevels(template.levels),
    });
    roles.push({ name: template.name, id: role.id });
  }
  for (const role of roles) {
    const email = `${role.name.toLowerCase()}-${organizationId}@demo.gatehouse.local`;
    const user = await findOrCreateUserByEmail(db, email, `${role.name} (demo)`);
    await insertMembership(db, { organizationId, userId: user.id, roleId: role.id });
    const { secret } = await issueApiToken(db, organizationId, { userId: user.id }, 'demo');
    users.push({ role: role.name, email, token: secret });
  }
  return { organizationId, users };
}
