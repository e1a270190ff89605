import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMember, createOrg, createRole, jwtFor, type OrgFixture } from '../support/fixtures.js';
import { expectAllowed, expectDenied, expectHidden } from '../support/expect.js';
import { startTestGateway, type TestGateway } from '../support/harness.js';
import { ACCEPT, freshEmail, invite, INVITE, REVOKE, type InvitationData } from './invitation-ops.js';

// SPEC §2 `invitations`: READ sees pending invitations, MANAGE invites and revokes; inviting to the
// Owner role needs an Owner, as granting it to a member does.
let gw: TestGateway;
let org: OrgFixture;
let manager: string;

const LIST = 'query($id: ID!) { organization(id: $id) { invitations { totalCount edges { node { id email } } } } }';
type ListData = { organization: { invitations: { totalCount: number; edges: Array<{ node: { id: string; email: string } }> } } };
const vars = (email: string, role?: string) => ({ org: String(org.organizationId), email, role: role ?? null });

beforeAll(async () => {
  gw = await startTestGateway();
  org = await createOrg(gw);
  // Not an Owner: a custom role with invitations MANAGE only.
  manager = (await addMember(gw, org.organizationId, await createRole(gw, org.organizationId, { invitations: 'MANAGE' }))).token;
});
afterAll(async () => gw.close());

describe('inviteMember', () => {
  it('defaults to the Member role and expires in 14 days', async () => {
    const data = await expectAllowed<InvitationData>(gw, manager, INVITE, vars(freshEmail()));
    expect(data.inviteMember.role).toEqual({ id: org.memberRoleId, kind: 'MEMBER' });
    expect(data.inviteMember.status).toBe('PENDING');
    const days = (Date.parse(data.inviteMember.expiresAt) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(13.99);
    expect(days).toBeLessThanOrEqual(14);
  });

  it('to the Owner role needs an Owner: FORBIDDEN for a non-Owner with invitations MANAGE, allowed for an Owner', async () => {
    await expectDenied(gw, manager, INVITE, vars(freshEmail(), org.ownerRoleId), 'FORBIDDEN');
    const data = await expectAllowed<InvitationData>(gw, org.owner.token, INVITE, vars(freshEmail(), org.ownerRoleId));
    expect(data.inviteMember.role.kind).toBe('OWNER');
  });

  it('refuses a second pending invitation to the same email (any case) with CONFLICT; after revoking, it can be sent again', async () => {
    const email = freshEmail();
    const first = await invite(gw, manager, org.organizationId, email);
    await expectDenied(gw, manager, INVITE, vars(email.toUpperCase()), 'CONFLICT');
    await expectAllowed(gw, manager, REVOKE, { id: first });
    await expectAllowed(gw, manager, INVITE, vars(email));
  });

  it('replaces an expired invitation to the same email instead of refusing', async () => {
    const email = freshEmail();
    const first = await invite(gw, manager, org.organizationId, email);
    await gw.db
      .updateTable('invitations')
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where('id', '=', first)
      .execute();
    await expectAllowed(gw, manager, INVITE, vars(email));
  });

  it('refuses the email of an existing member with CONFLICT', async () => {
    const member = await addMember(gw, org.organizationId, org.memberRoleId);
    await expectDenied(gw, manager, INVITE, vars(member.email ?? ''), 'CONFLICT');
  });

  it('refuses a malformed email with BAD_USER_INPUT naming the field', async () => {
    const response = await expectDenied(gw, manager, INVITE, vars('not an email'), 'BAD_USER_INPUT');
    expect(response.errors[0]?.extensions?.field).toBe('email');
  });

  it("refuses another organization's role as NOT_FOUND and writes nothing", async () => {
    const other = await createOrg(gw);
    const email = freshEmail();
    await expectDenied(gw, manager, INVITE, vars(email, other.memberRoleId), 'NOT_FOUND');
    const rows = await gw.db.selectFrom('invitations').select('id').where('email', '=', email).execute();
    expect(rows).toEqual([]);
  });
});

describe('Organization.invitations', () => {
  it('lists pending invitations only, to invitations READ', async () => {
    const reader = (await addMember(gw, org.organizationId, org.memberRoleId)).token;
    const pending = freshEmail();
    const revoked = freshEmail();
    await invite(gw, manager, org.organizationId, pending);
    await expectAllowed(gw, manager, REVOKE, { id: await invite(gw, manager, org.organizationId, revoked) });
    const data = await expectAllowed<ListData>(gw, reader, LIST, { id: String(org.organizationId) });
    const emails = data.organization.invitations.edges.map((e) => e.node.email);
    expect(emails).toContain(pending);
    expect(emails).not.toContain(revoked);
    expect(data.organization.invitations.totalCount).toBe(emails.length);
  });
});

describe('revokeInvitation', () => {
  it('revokes only PENDING invitations: an accepted or revoked one is CONFLICT', async () => {
    const email = freshEmail();
    const accepted = await invite(gw, manager, org.organizationId, email);
    await expectAllowed(gw, await jwtFor(email), ACCEPT, { id: accepted });
    await expectDenied(gw, manager, REVOKE, { id: accepted }, 'CONFLICT');

    const revoked = await invite(gw, manager, org.organizationId, freshEmail());
    const data = await expectAllowed<{ revokeInvitation: { status: string } }>(gw, manager, REVOKE, { id: revoked });
    expect(data.revokeInvitation.status).toBe('REVOKED');
    await expectDenied(gw, manager, REVOKE, { id: revoked }, 'CONFLICT');
  });

  it('needs invitations MANAGE: a Member (READ) does not see revokeInvitation: it is not in its schema', async () => {
    const reader = (await addMember(gw, org.organizationId, org.memberRoleId)).token;
    const id = await invite(gw, manager, org.organizationId, freshEmail());
    await expectHidden(gw, reader, REVOKE, { id }, 'revokeInvitation');
    expect((await gw.db.selectFrom('invitations').select('status').where('id', '=', id).executeTakeFirstOrThrow()).status).toBe('PENDING');
  });
});
