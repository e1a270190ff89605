import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMember, createOrg, type OrgFixture } from '../support/fixtures.js';
import { expectAllowed, expectDenied } from '../support/expect.js';
import { startTestGateway, type TestGateway } from '../support/harness.js';

let gw: TestGateway;
let org: OrgFixture;
beforeAll(async () => {
  gw = await startTestGateway();
  org = await createOrg(gw);
});
afterAll(async () => gw.close());

const CREATE = `mutation($org: ID!, $input: CreateApiTokenInput!) {
  createApiToken(organizationId: $org, input: $input) { secret apiToken { id name prefix expiresAt lastUsedAt } }
}`;
const VIEWER = '{ viewer { user { email } } }';

type Created = { createApiToken: { secret: string; apiToken: { id: string; prefix: string; lastUsedAt: string | null } } };

describe('API tokens (SPEC §1)', () => {
  it('no token: UNAUTHENTICATED', async () => {
    await expectDenied(gw, undefined, VIEWER, {}, 'UNAUTHENTICATED');
  });

  it('a malformed Authorization header is refused with 401', async () => {
    const response = await fetch(gw.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Basic abc' },
      body: JSON.stringify({ query: VIEWER }),
    });
    expect(response.status).toBe(401);
    expect(await response.text()).toContain('UNAUTHENTICATED');
  });

  it('a token is shown once, stored only as a hash, and works', async () => {
    const created = await expectAllowed<Created>(gw, org.owner.token, CREATE, { org: String(org.organizationId), input: { name: 'ci' } });
    const { secret, apiToken } = created.createApiToken;
    expect(secret).toMatch(/^gth_[A-Za-z0-9_-]{43}$/);
    expect(apiToken.prefix).toBe(`${secret.slice(0, 10)}…`);
    const rows = await gw.db.selectFrom('apiTokens').selectAll().execute();
    expect(JSON.stringify(rows)).not.toContain(secret.slice(4));
    expect(rows.some((row) => Buffer.from(row.tokenHash).toString('utf8').includes(secret))).toBe(false);
    const listed = await expectAllowed<{ organization: { viewerApiTokens: Array<Record<string, unknown>> } }>(
      gw,
      secret,
      'query($id: ID!) { organization(id: $id) { viewerApiTokens { id name prefix } } }',
      { id: String(org.organizationId) },
    );
    expect(JSON.stringify(listed)).not.toContain(secret);
  });

  it('records when a token was last used', async () => {
    const created = await expectAllowed<Created>(gw, org.owner.token, CREATE, { org: String(org.organizationId), input: { name: 'used' } });
    expect(created.createApiToken.apiToken.lastUsedAt).toBeNull();
    await expectAllowed(gw, created.createApiToken.secret, VIEWER);
    const row = await gw.db.selectFrom('apiTokens').select('lastUsedAt').where('id', '=', created.createApiToken.apiToken.id).executeTakeFirstOrThrow();
    expect(row.lastUsedAt).toBeInstanceOf(Date);
  });

  it('a revoked token is UNAUTHENTICATED on its next request', async () => {
    const created = await expectAllowed<Created>(gw, org.owner.token, CREATE, { org: String(org.organizationId), input: { name: 'revoke me' } });
    await expectAllowed(gw, created.createApiToken.secret, VIEWER);
    await expectAllowed(gw, org.owner.token, 'mutation($id: ID!) { revokeApiToken(id: $id) { revokedAt } }', { id: created.createApiToken.apiToken.id });
    await expectDenied(gw, created.createApiToken.secret, VIEWER, {}, 'UNAUTHENTICATED');
  });

  it('an expired token is UNAUTHENTICATED', async () => {
    const created = await expectAllowed<Created>(gw, org.owner.token, CREATE, {
      org: String(org.organizationId),
      input: { name: 'short', expiresAt: new Date(Date.now() + 1500).toISOString() },
    });
    await expectAllowed(gw, created.createApiToken.secret, VIEWER);
    await new Promise((resolve) => setTimeout(resolve, 1600));
    await expectDenied(gw, created.createApiToken.secret, VIEWER, {}, 'UNAUTHENTICATED');
  });

  it('an expiry in the past is BAD_USER_INPUT', async () => {
    await expectDenied(
      gw,
      org.owner.token,
      CREATE,
      { org: String(org.organizationId), input: { name: 'past', expiresAt: '2020-01-01T00:00:00Z' } },
      'BAD_USER_INPUT',
    );
  });

  it("a member cannot revoke another member's token (NOT_FOUND)", async () => {
    const other = await addMember(gw, org.organizationId, org.memberRoleId);
    const created = await expectAllowed<Created>(gw, other.token, CREATE, { org: String(org.organizationId), input: { name: 'mine' } });
    const intruder = await addMember(gw, org.organizationId, org.memberRoleId);
    await expectDenied(gw, intruder.token, 'mutation($id: ID!) { revokeApiToken(id: $id) { id } }', { id: created.createApiToken.apiToken.id }, 'NOT_FOUND');
    await expectAllowed(gw, created.createApiToken.secret, VIEWER);
  });

  it('a token acts only in its own organization', async () => {
    const other = await createOrg(gw);
    await expectDenied(gw, org.owner.token, 'query($id: ID!) { organization(id: $id) { name } }', { id: String(other.organizationId) }, 'NOT_FOUND');
    const data = await expectAllowed<{ viewer: { memberships: unknown[] } }>(gw, org.owner.token, '{ viewer { memberships { organization { id } } } }');
    expect(data.viewer.memberships).toEqual([{ organization: { id: String(org.organizationId) } }]);
  });

  it('a guessed token of the right shape is UNAUTHENTICATED', async () => {
    await expectDenied(gw, `gth_${'A'.repeat(43)}`, VIEWER, {}, 'UNAUTHENTICATED');
  });
});
