import { SignJWT } from 'jose';
import { columnsFromLevels, MEMBER_DEFAULT_LEVELS, ROLE_TEMPLATES, type FeatureLevels } from '../../src/authz/features.js';
import { issueApiToken } from '../../src/modules/api-tokens/issue-token.js';
import { insertMembership } from '../../src/modules/members/members.repository.js';
import { createOrganization } from '../../src/modules/organizations/create-organization.js';
import { findRoleByKind, insertRole } from '../../src/modules/roles/roles.repository.js';
import { findOrCreateUserByEmail } from '../../src/modules/users/users.repository.js';
import { TEST_JWT_SECRET, type TestGateway } from './harness.js';

/** Someone who calls the gateway: a user or service account with an API token of one organization. */
export interface Actor {
  token: string;
  userId: string | null;
  serviceAccountId: string | null;
  email: string | null;
  roleId: string;
}

export interface OrgFixture {
  organizationId: number;
  owner: Actor;
  ownerRoleId: string;
  memberRoleId: string;
}

let counter = 0;
const unique = (prefix: string) => `${prefix}-${process.pid}-${Date.now()}-${++counter}`;

export async function createOrg(gw: TestGateway, name = unique('org')): Promise<OrgFixture> {
  const user = await findOrCreateUserByEmail(gw.db, `${unique('owner')}@example.com`, 'Owner');
  const organization = await createOrganization(gw.db, name.slice(0, 100), user.id);
  const ownerRole = await findRoleByKind(gw.db, organization.id, 'OWNER');
  const memberRole = await findRoleByKind(gw.db, organization.id, 'MEMBER');
  const { secret } = await issueApiToken(gw.db, organization.id, { userId: user.id }, 'test');
  return {
    organizationId: organization.id,
    owner: { token: secret, userId: user.id, serviceAccountId: null, email: user.email, roleId: ownerRole.id },
    ownerRoleId: ownerRole.id,
    memberRoleId: memberRole.id,
  };
}

/** A custom role with exactly these levels (unlisted features: NO_ACCESS). */
export async function createRole(gw: TestGateway, organizationId: number, levels: Partial<FeatureLevels>, name = unique('role')): Promise<string> {
  const full = { ...Object.fromEntries(Object.keys(MEMBER_DEFAULT_LEVELS).map((f) => [f, 'NO_ACCESS'])), ...levels } as FeatureLevels;
  const role = await insertRole(gw.db, { organizationId, name, kind: 'CUSTOM', template: null, ...columnsFromLevels(full) });
  return role.id;
}

export async function createTemplateRole(gw: TestGateway, organizationId: number, template: 'DEVELOPER' | 'VIEWER' | 'OPS'): Promise<string> {
  const definition = ROLE_TEMPLATES.find((t) => t.template === template);
  if (!definition) throw new Error(`no template ${template}`);
  const role = await insertRole(gw.db, { organizationId, name: definition.name, kind: 'CUSTOM', template, ...columnsFromLevels(definition.levels) });
  return role.id;
}

/** A new user holding `roleId` in the organization, with an API token there. */
export async function addMember(gw: TestGateway, organizationId: number, roleId: string, email = `${unique('user')}@example.com`): Promise<Actor> {
  const user = await findOrCreateUserByEmail(gw.db, email, email.split('@')[0]);
  await insertMembership(gw.db, { organizationId, userId: user.id, roleId });
  const { secret } = await issueApiToken(gw.db, organizationId, { userId: user.id }, 'test');
  return { token: secret, userId: user.id, serviceAccountId: null, email: user.email, roleId };
}

/** A service account holding `roleId`, with an API token. */
export async function addServiceAccount(gw: TestGateway, organizationId: number, roleId: string): Promise<Actor> {
  const account = await gw.db
    .insertInto('serviceAccounts')
    .values({ organizationId, name: unique('partner'), roleId })
    .returningAll()
    .executeTakeFirstOrThrow();
  const { secret } = await issueApiToken(gw.db, organizationId, { serviceAccountId: account.id }, 'test');
  return { token: secret, userId: null, serviceAccountId: account.id, email: null, roleId };
}

/** A development JWT (HS256 with the test secret) for a signed-in user session. */
export async function jwtFor(email: string, subject = email, emailVerified = true): Promise<string> {
  return new SignJWT({ email, name: email.split('@')[0], email_verified: emailVerified })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(subject)
    .setIssuedAt()
    .setExpirationTime('10m')
    .sign(new TextEncoder().encode(TEST_JWT_SECRET));
}
