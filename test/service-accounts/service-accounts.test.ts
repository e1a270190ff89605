import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMember, addServiceAccount, createOrg, createRole, type OrgFixture } from '../support/fixtures.js';
import { expectAllowed, expectDenied, expectHidden } from '../support/expect.js';
import { startTestGateway, type TestGateway } from '../support/harness.js';

// SPEC §1 "Service account" and §2 `organization_settings` (which gates service accounts).
const CREATE = `mutation($org: ID!, $name: String!, $role: ID!) {
  createServiceAccount(organizationId: $org, input: { name: $name, roleId: $role }) { id name disabledAt role { id kind } }
}`;
const DISABLE = 'mutation($id: ID!) { disableServiceAccount(id: $id) { id disabledAt } }';
const LIST = 'query($id: ID!) { organization(id: $id) { serviceAccounts { totalCount edges { node { id } } } } }';

interface CreateData {
  createServiceAccount: { id: string; name: string; disabledAt: string | null; role: { id: string; kind: string } };
}

let gw: TestGateway;
let org: OrgFixture;
let n = 0;
const vars = (role: string, name = `partner-${++n}`) => ({ org: String(org.organizationId), name, role });

beforeAll(async () => {
  gw = await startTestGateway();
  org = await createOrg(gw);
});
afterAll(async () => gw.close());

describe('createServiceAccount', () => {
  it('cannot give a service account the Owner role: BAD_USER_INPUT naming roleId, nothing written', async () => {
    const name = `owner-attempt-${++n}`;
    const response = await expectDenied(gw, org.owner.token, CREATE, vars(org.ownerRoleId, name), 'BAD_USER_INPUT');
    expect(response.errors[0]?.extensions?.field).toBe('roleId');
    const rows = await gw.db.selectFrom('serviceAccounts').select('id').where('name', '=', name).execute();
    expect(rows).toEqual([]);
  });

  it('gives it the Member or a custom role', async () => {
    const member = await expectAllowed<CreateData>(gw, org.owner.token, CREATE, vars(org.memberRoleId));
    expect(member.createServiceAccount.role).toEqual({ id: org.memberRoleId, kind: 'MEMBER' });
    const custom = await createRole(gw, org.organizationId, { crews_dashboards: 'READ' });
    const data = await expectAllowed<CreateData>(gw, org.owner.token, CREATE, vars(custom));
    expect(data.createServiceAccount.role.kind).toBe('CUSTOM');
  });

  it('refuses a name already taken in the organization (any case) with CONFLICT', async () => {
    await expectAllowed(gw, org.owner.token, CREATE, vars(org.memberRoleId, 'Billing Sync'));
    await expectDenied(gw, org.owner.token, CREATE, vars(org.memberRoleId, 'billing sync'), 'CONFLICT');
  });

  it('needs organization_settings MANAGE: a Member sees neither createServiceAccount nor the list (not in its schema)', async () => {
    const member = await addMember(gw, org.organizationId, org.memberRoleId);
    const attempt = vars(org.memberRoleId);
    await expectHidden(gw, member.token, CREATE, attempt, 'createServiceAccount');
    expect(
      await gw.db.selectFrom('serviceAccounts').select('id').where('organizationId', '=', org.organizationId).where('name', '=', attempt.name).execute(),
    ).toEqual([]);
    await expectHidden(gw, member.token, LIST, { id: String(org.organizationId) }, 'serviceAccounts');
  });
});

describe('disableServiceAccount', () => {
  it('stops its tokens at once, and disabling again keeps the first time', async () => {
    const account = await addServiceAccount(gw, org.organizationId, org.memberRoleId);
    await expectAllowed(gw, account.token, '{ viewer { serviceAccount { id } } }');
    const first = await expectAllowed<{ disableServiceAccount: { disabledAt: string } }>(gw, org.owner.token, DISABLE, { id: account.serviceAccountId });
    expect(first.disableServiceAccount.disabledAt).not.toBeNull();
    await expectDenied(gw, account.token, '{ viewer { serviceAccount { id } } }', {}, 'UNAUTHENTICATED');
    const again = await expectAllowed<{ disableServiceAccount: { disabledAt: string } }>(gw, org.owner.token, DISABLE, { id: account.serviceAccountId });
    expect(again.disableServiceAccount.disabledAt).toBe(first.disableServiceAccount.disabledAt);
  });
});

describe('service accounts across organizations (SPEC §1 Cross-tenant)', () => {
  it("another organization's service account or role is NOT_FOUND, and stays untouched", async () => {
    const other = await createOrg(gw);
    const foreign = await addServiceAccount(gw, other.organizationId, other.memberRoleId);
    await expectDenied(gw, org.owner.token, DISABLE, { id: foreign.serviceAccountId }, 'NOT_FOUND');
    const row = await gw.db
      .selectFrom('serviceAccounts')
      .select('disabledAt')
      .where('id', '=', foreign.serviceAccountId ?? '')
      .executeTakeFirstOrThrow();
    expect(row.disabledAt).toBeNull();
    await expectDenied(gw, org.owner.token, CREATE, vars(other.memberRoleId), 'NOT_FOUND');
    await expectDenied(gw, org.owner.token, CREATE, { ...vars(other.memberRoleId), org: String(other.organizationId) }, 'NOT_FOUND');
  });

  it("lists only the organization's own service accounts", async () => {
    const data = await expectAllowed<{ organization: { serviceAccounts: { totalCount: number; edges: unknown[] } } }>(gw, org.owner.token, LIST, {
      id: String(org.organizationId),
    });
    const own = await gw.db.selectFrom('serviceAccounts').select('id').where('organizationId', '=', org.organizationId).execute();
    expect(data.organization.serviceAccounts.totalCount).toBe(own.length);
    expect(data.organization.serviceAccounts.edges).toHaveLength(own.length);
  });
});
