import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMember, createOrg, createRole } from '../support/fixtures.js';
import { expectAllowed, expectDenied } from '../support/expect.js';
import { startTestGateway, type TestGateway } from '../support/harness.js';
import { Authz } from '../../src/authz/authz.js';
import { preloadGrants } from '../../src/authz/permission-preload.js';
import { ConflictError } from '../../src/errors.js';
import { changeMemberRole } from '../../src/modules/members/change-membership.js';
import { findRoleByKind } from '../../src/modules/roles/roles.repository.js';

let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway();
});
afterAll(async () => gw.close());

const SET_ROLE = 'mutation($org: ID!, $user: ID!, $role: ID!) { updateMemberRole(organizationId: $org, userId: $user, roleId: $role) { role { kind } } }';
const REMOVE = 'mutation($org: ID!, $user: ID!) { removeMember(organizationId: $org, userId: $user) }';

async function ownerCount(organizationId: number, token: string): Promise<number> {
  const data = await expectAllowed<{ organization: { members: { edges: Array<{ node: { role: { kind: string } } }> } } }>(
    gw,
    token,
    'query($id: ID!) { organization(id: $id) { members(first: 100) { edges { node { role { kind } } } } } }',
    { id: String(organizationId) },
  );
  return data.organization.members.edges.filter((e) => e.node.role.kind === 'OWNER').length;
}

describe('an organization always keeps at least one Owner (SPEC §2)', () => {
  it('the last Owner cannot be demoted', async () => {
    const org = await createOrg(gw);
    const vars = { org: String(org.organizationId), user: org.owner.userId, role: org.memberRoleId };
    const response = await expectDenied(gw, org.owner.token, SET_ROLE, vars, 'CONFLICT');
    expect(response.errors[0]?.message).toContain('at least one Owner');
    expect(await ownerCount(org.organizationId, org.owner.token)).toBe(1);
  });

  it('the last Owner cannot be removed', async () => {
    const org = await createOrg(gw);
    await expectDenied(gw, org.owner.token, REMOVE, { org: String(org.organizationId), user: org.owner.userId }, 'CONFLICT');
  });

  it('of two Owners demoting each other at once, exactly one succeeds', async () => {
    const org = await createOrg(gw);
    const second = await addMember(gw, org.organizationId, org.ownerRoleId);
    const [a, b] = await Promise.all([
      gw.gql(org.owner.token, SET_ROLE, { org: String(org.organizationId), user: second.userId, role: org.memberRoleId }),
      gw.gql(second.token, SET_ROLE, { org: String(org.organizationId), user: org.owner.userId, role: org.memberRoleId }),
    ]);
    // The loser either lost the Owner role before its request began, so that updateMemberRole is
    // no longer in its schema (a Member holds organization_settings nowhere: validation fails), or
    // waited on the lock and found itself the last Owner (CONFLICT); never both succeed.
    const outcomes = [a, b].map((r) => (r.errors.length === 0 ? 'ok' : r.errors[0]?.extensions?.code));
    expect(outcomes.filter((o) => o === 'ok')).toHaveLength(1);
    expect(outcomes.find((o) => o !== 'ok')).toMatch(/^(CONFLICT|GRAPHQL_VALIDATION_FAILED)$/);
    const survivor = a.errors.length === 0 ? org.owner.token : second.token;
    expect(await ownerCount(org.organizationId, survivor)).toBe(1);
  });

  it("two demotions decided with both Owners' permissions serialize on the lock: one CONFLICT", async () => {
    const org = await createOrg(gw);
    const second = await addMember(gw, org.organizationId, org.ownerRoleId);
    const member = await findRoleByKind(gw.db, org.organizationId, 'MEMBER');
    const authzOf = async (userId: string) =>
      new Authz(
        { kind: 'user', userId, email: '', emailVerified: true, name: '' },
        await preloadGrants(gw.db, { kind: 'user', userId, email: '', emailVerified: true, name: '' }),
      );
    const [authzA, authzB] = await Promise.all([authzOf(org.owner.userId ?? ''), authzOf(second.userId ?? '')]);
    const results = await Promise.allSettled([
      changeMemberRole(gw.db, authzA, org.organizationId, second.userId ?? '', member),
      changeMemberRole(gw.db, authzB, org.organizationId, org.owner.userId ?? '', member),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const rejected = results.find((r) => r.status === 'rejected');
    expect(rejected?.status === 'rejected' ? rejected.reason : undefined).toBeInstanceOf(ConflictError);
  });

  it('an administrator who is not an Owner cannot grant the Owner role', async () => {
    const org = await createOrg(gw);
    const admin = await addMember(gw, org.organizationId, await createRole(gw, org.organizationId, { organization_settings: 'MANAGE' }));
    const response = await expectDenied(gw, admin.token, SET_ROLE, { org: String(org.organizationId), user: admin.userId, role: org.ownerRoleId }, 'FORBIDDEN');
    expect(response.errors[0]?.message).toContain('Owner');
  });

  it('an Owner can hand over ownership and then step down', async () => {
    const org = await createOrg(gw);
    const heir = await addMember(gw, org.organizationId, org.memberRoleId);
    await expectAllowed(gw, org.owner.token, SET_ROLE, { org: String(org.organizationId), user: heir.userId, role: org.ownerRoleId });
    await expectAllowed(gw, org.owner.token, SET_ROLE, { org: String(org.organizationId), user: org.owner.userId, role: org.memberRoleId });
    expect(await ownerCount(org.organizationId, heir.token)).toBe(1);
  });

  it("a removed member's token stops working on the next request", async () => {
    const org = await createOrg(gw);
    const leaver = await addMember(gw, org.organizationId, org.memberRoleId);
    await expectAllowed(gw, leaver.token, '{ viewer { memberships { role { kind } } } }');
    await expectAllowed(gw, org.owner.token, REMOVE, { org: String(org.organizationId), user: leaver.userId });
    const response = await gw.gql(leaver.token, '{ viewer { memberships { role { kind } } } }');
    expect(response.errors[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });
});
