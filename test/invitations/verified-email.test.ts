import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findOrCreateUserByEmail } from '../../src/modules/users/users.repository.js';
import { expectAllowed, expectDenied } from '../support/expect.js';
import { createOrg, jwtFor, type OrgFixture } from '../support/fixtures.js';
import { startTestGateway, type TestGateway } from '../support/harness.js';
import { ACCEPT, freshEmail, invite } from './invitation-ops.js';

// Issue 15 §4: an email that the identity provider does not mark verified claims nothing. Its
// user is created with it marked unverified, sees no invitation, accepts none, links to no
// existing user and does not keep the real owner of the address from signing up.
let gw: TestGateway;
let org: OrgFixture;
beforeAll(async () => {
  gw = await startTestGateway();
  org = await createOrg(gw);
});
afterAll(async () => gw.close());

const VIEWER = '{ viewer { emailVerified user { id } pendingInvitations { id } } }';
interface ViewerData {
  viewer: { emailVerified: boolean; user: { id: string }; pendingInvitations: Array<{ id: string }> };
}

const usersWith = (email: string) =>
  gw.db.selectFrom('users').select(['id', 'authSubject', 'emailVerified']).where('email', '=', email).orderBy('createdAt').execute();
const statusOf = async (id: string) => (await gw.db.selectFrom('invitations').select('status').where('id', '=', id).executeTakeFirstOrThrow()).status;

describe('a sign-in whose identity provider does not verify the email', () => {
  it('creates the user with the email marked unverified; it sees no invitation and accepting one is FORBIDDEN, saying what to do', async () => {
    const email = freshEmail();
    const id = await invite(gw, org.owner.token, org.organizationId, email);
    const squatter = await jwtFor(email, `squatter-${email}`, false);

    const seen = await expectAllowed<ViewerData>(gw, squatter, VIEWER);
    expect(seen.viewer.emailVerified).toBe(false);
    expect(seen.viewer.pendingInvitations).toEqual([]);
    expect(await usersWith(email)).toEqual([{ id: seen.viewer.user.id, authSubject: `dev|squatter-${email}`, emailVerified: false }]);

    const denied = await expectDenied(gw, squatter, ACCEPT, { id }, 'FORBIDDEN');
    expect(denied.errors[0]?.message).toMatch(
      /needs an email your identity provider has verified: .*sign in with one that marks it verified \(email_verified\)/,
    );
    expect(await statusOf(id)).toBe('PENDING');
  });

  it('does not keep the real owner of the address from signing up, seeing the invitation and accepting it', async () => {
    const email = freshEmail();
    const id = await invite(gw, org.owner.token, org.organizationId, email);
    await expectAllowed(gw, await jwtFor(email, `squatter-${email}`, false), VIEWER);

    const owner = await jwtFor(email, `owner-${email}`, true);
    const seen = await expectAllowed<ViewerData>(gw, owner, VIEWER);
    expect(seen.viewer).toMatchObject({ emailVerified: true, pendingInvitations: [{ id }] });
    await expectAllowed(gw, owner, ACCEPT, { id });
    // The unverified claim stays with its own user, holding nothing.
    expect((await usersWith(email)).map((u) => u.emailVerified)).toEqual([false, true]);
    await expectDenied(gw, await jwtFor(email, `squatter-${email}`, false), ACCEPT, { id }, 'FORBIDDEN');
  });

  it('cannot sign in as an existing user of that address (an operator named it): UNAUTHENTICATED', async () => {
    const email = freshEmail();
    await findOrCreateUserByEmail(gw.db, email, 'Placeholder');
    await expectDenied(gw, await jwtFor(email, `squatter-${email}`, false), VIEWER, {}, 'UNAUTHENTICATED');
    const [placeholder] = await usersWith(email);
    expect(placeholder).toMatchObject({ authSubject: null, emailVerified: true });
    // The real person, verified, links to it.
    const data = await expectAllowed<ViewerData>(gw, await jwtFor(email, `owner-${email}`, true), VIEWER);
    expect(data.viewer.user.id).toBe(placeholder?.id);
  });
});

describe('the same subject signing in again with email_verified true', () => {
  it('marks the email verified, and from then on sees and accepts its invitations', async () => {
    const email = freshEmail();
    const subject = `later-${email}`;
    const id = await invite(gw, org.owner.token, org.organizationId, email);
    await expectAllowed(gw, await jwtFor(email, subject, false), VIEWER);
    expect((await usersWith(email))[0]?.emailVerified).toBe(false);

    const verified = await jwtFor(email, subject, true);
    const seen = await expectAllowed<ViewerData>(gw, verified, VIEWER);
    expect(seen.viewer).toMatchObject({ emailVerified: true, pendingInvitations: [{ id }] });
    expect(await usersWith(email)).toEqual([{ id: seen.viewer.user.id, authSubject: `dev|${subject}`, emailVerified: true }]);
    await expectAllowed(gw, verified, ACCEPT, { id });
  });

  it('a token that does not assert the email is refused for this request even once the user is verified', async () => {
    const email = freshEmail();
    const subject = `flip-${email}`;
    const id = await invite(gw, org.owner.token, org.organizationId, email);
    await expectAllowed(gw, await jwtFor(email, subject, true), VIEWER);
    const unasserted = await jwtFor(email, subject, false);
    expect((await expectAllowed<ViewerData>(gw, unasserted, VIEWER)).viewer).toMatchObject({ emailVerified: false, pendingInvitations: [] });
    await expectDenied(gw, unasserted, ACCEPT, { id }, 'FORBIDDEN');
  });

  it('stays unverified when the real owner took the address meanwhile: the verified owner keeps it', async () => {
    const email = freshEmail();
    const id = await invite(gw, org.owner.token, org.organizationId, email);
    const late = `late-${email}`;
    await expectAllowed(gw, await jwtFor(email, late, false), VIEWER);
    await expectAllowed(gw, await jwtFor(email, `owner-${email}`, true), VIEWER);

    const lateVerified = await jwtFor(email, late, true);
    const seen = await expectAllowed<ViewerData>(gw, lateVerified, VIEWER);
    expect(seen.viewer).toMatchObject({ emailVerified: false, pendingInvitations: [] });
    await expectDenied(gw, lateVerified, ACCEPT, { id }, 'FORBIDDEN');
    expect((await usersWith(email)).map((u) => [u.authSubject, u.emailVerified])).toEqual([
      [`dev|${late}`, false],
      [`dev|owner-${email}`, true],
    ]);
  });
});
