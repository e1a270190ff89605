import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrg, type OrgFixture } from '../support/fixtures.js';
import { expectDenied } from '../support/expect.js';
import { startTestGateway, type TestGateway } from '../support/harness.js';
import { freshEmail, invite, INVITE, REVOKE } from './invitation-ops.js';

// SPEC §1 "Cross-tenant": another organization's ids behave exactly like ids that do not exist.
let gw: TestGateway;
let mine: OrgFixture;
let theirs: OrgFixture;

beforeAll(async () => {
  gw = await startTestGateway();
  mine = await createOrg(gw);
  theirs = await createOrg(gw);
});
afterAll(async () => gw.close());

describe('invitations across organizations', () => {
  it("revokeInvitation of another organization's invitation is NOT_FOUND, like a missing one, and leaves it pending", async () => {
    const id = await invite(gw, theirs.owner.token, theirs.organizationId, freshEmail());
    const foreign = await expectDenied(gw, mine.owner.token, REVOKE, { id }, 'NOT_FOUND');
    const missing = await expectDenied(gw, mine.owner.token, REVOKE, { id: '00000000-0000-4000-8000-000000000000' }, 'NOT_FOUND');
    expect(foreign.errors[0]?.message.replace(id, 'ID')).toBe(missing.errors[0]?.message.replace('00000000-0000-4000-8000-000000000000', 'ID'));
    const row = await gw.db.selectFrom('invitations').select('status').where('id', '=', id).executeTakeFirstOrThrow();
    expect(row.status).toBe('PENDING');
  });

  it('inviteMember into another organization, or with its role, is NOT_FOUND', async () => {
    await expectDenied(gw, mine.owner.token, INVITE, { org: String(theirs.organizationId), email: freshEmail(), role: null }, 'NOT_FOUND');
    await expectDenied(gw, mine.owner.token, INVITE, { org: String(mine.organizationId), email: freshEmail(), role: theirs.memberRoleId }, 'NOT_FOUND');
  });
});
