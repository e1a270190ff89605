import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMember, createOrg, jwtFor, type OrgFixture } from '../support/fixtures.js';
import { expectAllowed, expectDenied, expectHidden } from '../support/expect.js';
import { startTestGateway, type TestGateway } from '../support/harness.js';
import { ACCEPT, freshEmail, invite, REVOKE } from './invitation-ops.js';

// SPEC §1 Membership and the invitations feature of §2: an invitation is answered by the person it
// names, signed in as themselves; to anyone else it does not exist.
let gw: TestGateway;
let org: OrgFixture;

beforeAll(async () => {
  gw = await startTestGateway();
  org = await createOrg(gw);
});
afterAll(async () => gw.close());

interface AcceptData {
  acceptInvitation: { organization: { id: string }; role: { id: string; kind: string } };
}

describe('acceptInvitation', () => {
  it('is accepted only by the signed-in user whose email it names (case-insensitively); anyone else gets NOT_FOUND', async () => {
    const email = freshEmail();
    const id = await invite(gw, org.owner.token, org.organizationId, email);

    const stranger = await jwtFor(freshEmail('stranger'));
    const denied = await expectDenied(gw, stranger, ACCEPT, { id }, 'NOT_FOUND');
    expect(denied.data).toBeNull();

    const invitee = await jwtFor(email.toUpperCase());
    const data = await expectAllowed<AcceptData>(gw, invitee, ACCEPT, { id });
    expect(data.acceptInvitation).toEqual({ organization: { id: String(org.organizationId) }, role: { id: org.memberRoleId, kind: 'MEMBER' } });

    const viewer = await expectAllowed<{ viewer: { memberships: Array<{ organization: { id: string } }> } }>(
      gw,
      invitee,
      '{ viewer { memberships { organization { id } } } }',
    );
    expect(viewer.viewer.memberships.map((m) => m.organization.id)).toContain(String(org.organizationId));
  });

  it('shows the invitee their open invitations and nobody else', async () => {
    const email = freshEmail();
    const id = await invite(gw, org.owner.token, org.organizationId, email);
    const query = '{ viewer { pendingInvitations { id roleName } } }';
    const mine = await expectAllowed<{ viewer: { pendingInvitations: Array<{ id: string; roleName: string }> } }>(gw, await jwtFor(email), query);
    expect(mine.viewer.pendingInvitations).toEqual([{ id, roleName: 'Member' }]);
    const theirs = await expectAllowed<{ viewer: { pendingInvitations: unknown[] } }>(gw, await jwtFor(freshEmail('other')), query);
    expect(theirs.viewer.pendingInvitations).toEqual([]);
  });

  it('cannot accept a revoked invitation: NOT_FOUND', async () => {
    const email = freshEmail();
    const id = await invite(gw, org.owner.token, org.organizationId, email);
    await expectAllowed(gw, org.owner.token, REVOKE, { id });
    await expectDenied(gw, await jwtFor(email), ACCEPT, { id }, 'NOT_FOUND');
  });

  it('cannot accept an invitation twice: the second time is NOT_FOUND', async () => {
    const email = freshEmail();
    const id = await invite(gw, org.owner.token, org.organizationId, email);
    const invitee = await jwtFor(email);
    await expectAllowed(gw, invitee, ACCEPT, { id });
    await expectDenied(gw, invitee, ACCEPT, { id }, 'NOT_FOUND');
  });

  it('cannot accept an expired invitation: NOT_FOUND', async () => {
    const email = freshEmail();
    const id = await invite(gw, org.owner.token, org.organizationId, email);
    await gw.db
      .updateTable('invitations')
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where('id', '=', id)
      .execute();
    await expectDenied(gw, await jwtFor(email), ACCEPT, { id }, 'NOT_FOUND');
  });

  it("needs a signed-in user: for an API token, even the invitee's own, acceptInvitation is not in its schema", async () => {
    const other = await createOrg(gw);
    const invitee = await addMember(gw, other.organizationId, other.memberRoleId);
    const id = await invite(gw, org.owner.token, org.organizationId, invitee.email ?? '');
    await expectHidden(gw, invitee.token, ACCEPT, { id }, 'acceptInvitation');
    expect((await gw.db.selectFrom('invitations').select('status').where('id', '=', id).executeTakeFirstOrThrow()).status).toBe('PENDING');
    await expectAllowed(gw, await jwtFor(invitee.email ?? ''), ACCEPT, { id });
  });

  it('is CONFLICT when the invitee became a member meanwhile, and the invitation stays pending', async () => {
    const email = freshEmail();
    const id = await invite(gw, org.owner.token, org.organizationId, email);
    await addMember(gw, org.organizationId, org.memberRoleId, email);
    await expectDenied(gw, await jwtFor(email), ACCEPT, { id }, 'CONFLICT');
    const row = await gw.db.selectFrom('invitations').select('status').where('id', '=', id).executeTakeFirstOrThrow();
    expect(row.status).toBe('PENDING');
  });

  it('answers NOT_FOUND for ids that are malformed or do not exist', async () => {
    const token = await jwtFor(freshEmail());
    await expectDenied(gw, token, ACCEPT, { id: 'not-a-uuid' }, 'NOT_FOUND');
    await expectDenied(gw, token, ACCEPT, { id: '00000000-0000-4000-8000-000000000000' }, 'NOT_FOUND');
  });
});
