import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrg, jwtFor } from '../support/fixtures.js';
import { expectAllowed, expectDenied, expectHidden } from '../support/expect.js';
import { startTestGateway, type TestGateway } from '../support/harness.js';

let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway();
});
afterAll(async () => gw.close());

describe('JWT sign-in', () => {
  it('a new identity becomes a user on first sign-in', async () => {
    const data = await expectAllowed<{ viewer: { user: { email: string }; memberships: unknown[] } }>(
      gw,
      await jwtFor('new.person@example.com'),
      '{ viewer { user { email } memberships { role { kind } } } }',
    );
    expect(data.viewer.user.email).toBe('new.person@example.com');
    expect(data.viewer.memberships).toEqual([]);
  });

  it('a signed-in user can create an organization and becomes its Owner', async () => {
    const token = await jwtFor('founder@example.com');
    const created = await expectAllowed<{ createOrganization: { id: string } }>(
      gw,
      token,
      'mutation { createOrganization(input: { name: "Founded" }) { id name } }',
    );
    const data = await expectAllowed<{ organization: { viewerPermissions: { isOwner: boolean } } }>(
      gw,
      token,
      'query($id: ID!) { organization(id: $id) { viewerPermissions { isOwner } } }',
      { id: created.createOrganization.id },
    );
    expect(data.organization.viewerPermissions.isOwner).toBe(true);
  });

  it('an API token cannot create organizations (it acts inside one): createOrganization is not in its schema', async () => {
    const org = await createOrg(gw);
    await expectHidden(gw, org.owner.token, 'mutation { createOrganization(input: { name: "Nope" }) { id } }', {}, 'createOrganization');
    expect(await gw.db.selectFrom('organizations').select('id').where('name', '=', 'Nope').execute()).toEqual([]);
  });

  it('a verified email links to the existing user of that email', async () => {
    const org = await createOrg(gw);
    const data = await expectAllowed<{ viewer: { memberships: Array<{ organization: { id: string } }> } }>(
      gw,
      await jwtFor(org.owner.email ?? '', 'idp-subject-1'),
      '{ viewer { memberships { organization { id } } } }',
    );
    expect(data.viewer.memberships).toEqual([{ organization: { id: String(org.organizationId) } }]);
  });

  it('an unverified email does not take over an existing user', async () => {
    const org = await createOrg(gw);
    await expectDenied(gw, await jwtFor(org.owner.email ?? '', 'attacker-subject', false), '{ viewer { user { id } } }', {}, 'UNAUTHENTICATED');
  });

  it('a JWT signed with another key is UNAUTHENTICATED', async () => {
    const forged = await new SignJWT({ email: 'x@example.com' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('x')
      .setExpirationTime('5m')
      .sign(new TextEncoder().encode('not-the-secret'));
    const response = await expectDenied(gw, forged, '{ viewer { user { id } } }', {}, 'UNAUTHENTICATED');
    expect(response.status).toBe(401);
  });

  it('an expired JWT is UNAUTHENTICATED', async () => {
    const expired = await new SignJWT({ email: 'late@example.com' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('late')
      .setExpirationTime(Math.floor(Date.now() / 1000) - 60)
      .sign(new TextEncoder().encode('test-only-shared-secret-for-hs256-jwts'));
    await expectDenied(gw, expired, '{ viewer { user { id } } }', {}, 'UNAUTHENTICATED');
  });
});
