import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServerStore, gqlAt, killServerProcesses, runCli, startServerProcess, type ServerProcess, type ServerStore } from '../support/server-process.js';
import { runGatehouse } from '../support/cli.js';

// A newcomer's first minutes (README "Quick start"): the built server in development with no JWT
// configuration (the secret it generates under DATA_DIR), an organization from the CLI, and `gatehouse dev-token` to sign in as the
// person the Owner invites, with no identity provider. dev-token opens no database, so it runs
// while the server holds the embedded PGlite directory.
let store: ServerStore;
let env: Record<string, string>;
let server: ServerProcess;
let ownerToken: string;

function gatehouse(extra: Record<string, string>, ...args: string[]) {
  return runGatehouse(args, { ...env, ...extra });
}

async function devToken(email: string): Promise<string> {
  const printed = await runCli<{ token: string; email: string; expiresAt: string }>(env, ['dev-token', '--email', email]);
  expect(printed.email).toBe(email);
  expect(Date.parse(printed.expiresAt)).toBeGreaterThan(Date.now());
  return printed.token;
}

const VIEWER = '{ viewer { user { email name } memberships { organization { name } role { name } } pendingInvitations { id organizationName roleName } } }';

beforeAll(async () => {
  store = await createServerStore();
  // On PostgreSQL the store has no DATA_DIR; the generated secret still needs a directory of its own.
  const dataDir = store.env.DATA_DIR ?? fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-dev-'));
  env = { ...store.env, DATA_DIR: dataDir, NODE_ENV: 'development', AUTH_JWT_SECRET: '', AUTH_JWKS_URL: '' };
  ({ token: ownerToken } = await runCli<{ token: string }>(env, ['org', 'create', '--name', 'Newcomer Org', '--owner-email', 'owner@newcomer.test']));
  server = await startServerProcess(env);
}, 120_000);

afterAll(async () => {
  killServerProcesses();
  await store?.close();
});

describe('gatehouse dev-token', () => {
  it('signs in as the invited person, who sees and accepts the invitation', async () => {
    const invited = await gqlAt<{ inviteMember: { id: string } }>(
      server.url,
      ownerToken,
      'mutation { inviteMember(organizationId: 1, input: { email: "newcomer@newcomer.test" }) { id } }',
    );
    expect(invited.errors).toEqual([]);
    const invitationId = invited.data?.inviteMember.id;

    const token = await devToken('newcomer@newcomer.test');
    const before = await gqlAt(server.url, token, VIEWER);
    expect(before.errors).toEqual([]);
    expect(before.data).toEqual({
      viewer: {
        user: { email: 'newcomer@newcomer.test', name: 'newcomer' },
        memberships: [],
        pendingInvitations: [{ id: invitationId, organizationName: 'Newcomer Org', roleName: 'Member' }],
      },
    });

    const accepted = await gqlAt(server.url, token, 'mutation($id: ID!) { acceptInvitation(id: $id) { organization { name } role { name } } }', {
      id: invitationId,
    });
    expect(accepted.errors).toEqual([]);
    expect(accepted.data).toEqual({ acceptInvitation: { organization: { name: 'Newcomer Org' }, role: { name: 'Member' } } });

    // A second dev-token is the same sign-in identity, now a member.
    const after = await gqlAt<{ viewer: { memberships: unknown[]; pendingInvitations: unknown[] } }>(
      server.url,
      await devToken('newcomer@newcomer.test'),
      VIEWER,
    );
    expect(after.data?.viewer.memberships).toEqual([{ organization: { name: 'Newcomer Org' }, role: { name: 'Member' } }]);
    expect(after.data?.viewer.pendingInvitations).toEqual([]);
  }, 60_000);

  it('signs in as a user the CLI created (the Owner), linked by the verified email', async () => {
    const response = await gqlAt<{ viewer: { memberships: unknown[] } }>(server.url, await devToken('owner@newcomer.test'), VIEWER);
    expect(response.errors).toEqual([]);
    expect(response.data?.viewer.memberships).toEqual([{ organization: { name: 'Newcomer Org' }, role: { name: 'Owner' } }]);
  }, 60_000);

  it('a token signed with another secret is refused by the gateway', async () => {
    const other = gatehouse({ AUTH_JWT_SECRET: 'some-other-development-secret' }, 'dev-token', '--email', 'owner@newcomer.test');
    expect(other.status, other.stderr).toBe(0);
    const response = await gqlAt(server.url, (JSON.parse(other.stdout) as { token: string }).token, VIEWER);
    expect(response.status).toBe(401);
    expect(response.errors[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  }, 60_000);

  it.each([
    ['in production', { NODE_ENV: 'production' }, ['--email', 'a@newcomer.test'], 'dev-token works only with NODE_ENV=development (here NODE_ENV=production)'],
    ['under NODE_ENV=test', { NODE_ENV: 'test' }, ['--email', 'a@newcomer.test'], 'only with NODE_ENV=development'],
    [
      'when the gateway verifies JWTs against an identity provider',
      { AUTH_JWT_SECRET: '', AUTH_JWKS_URL: 'https://idp.example/jwks', AUTH_JWT_ISSUER: 'https://idp.example/', AUTH_JWT_AUDIENCE: 'gatehouse' },
      ['--email', 'a@newcomer.test'],
      'sign in through that identity provider',
    ],
    ['without --email', {}, [], '--email is required'],
    ['with something that is not an email', {}, ['--email', 'newcomer'], '--email must be an email address'],
  ])('refuses %s: exit 2, nothing on stdout, what to do on stderr', (_case, extra: Record<string, string>, args, message) => {
    const result = gatehouse(extra, 'dev-token', ...args);
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(message);
  });
});
