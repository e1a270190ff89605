import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_TIMEOUT_MS, createCliStore, type CliStore } from '../support/cli.js';

// `gatehouse flag …` and `gatehouse admin …`, the operator's side of SPEC §5's instance feature
// flag; the built bin on a store of its own (test/support/cli.ts), as in commands.test.ts.
let cli: CliStore;
const gatehouse = (...args: string[]) => cli.run(args);

function json(result: ReturnType<typeof gatehouse>): unknown {
  expect(result.status, result.stderr).toBe(0);
  expect(result.stdout.trim().split('\n')).toHaveLength(1);
  return JSON.parse(result.stdout);
}

beforeAll(async () => {
  cli = await createCliStore();
  json(gatehouse('org', 'create', '--name', 'Acme', '--owner-email', 'owner@acme.test'));
}, CLI_TIMEOUT_MS);
afterAll(() => cli?.close());

describe('gatehouse flag', { timeout: CLI_TIMEOUT_MS }, () => {
  it('flag enable k8s_namespace_isolation --org 1, then flag list shows it on for organization 1 only', () => {
    expect(json(gatehouse('flag', 'enable', 'k8s_namespace_isolation', '--org', '1'))).toEqual({
      name: 'k8s_namespace_isolation',
      enabledGlobally: false,
      organizationIds: [1],
    });
    expect(json(gatehouse('flag', 'list'))).toEqual({ flags: [{ name: 'k8s_namespace_isolation', enabledGlobally: false, organizationIds: [1] }] });
  });

  it('flag enable without --org turns it on globally; flag disable --org takes one organization off', () => {
    expect(json(gatehouse('flag', 'enable', 'k8s_namespace_isolation'))).toMatchObject({ enabledGlobally: true, organizationIds: [1] });
    expect(json(gatehouse('flag', 'disable', 'k8s_namespace_isolation', '--org', '1'))).toMatchObject({ enabledGlobally: true, organizationIds: [] });
    expect(json(gatehouse('flag', 'disable', 'k8s_namespace_isolation'))).toMatchObject({ enabledGlobally: false, organizationIds: [] });
  });

  it.each([
    ['an organization that does not exist', ['flag', 'enable', 'k8s_namespace_isolation', '--org', '99'], 'Organization 99 does not exist'],
    ['a bad flag name', ['flag', 'enable', 'Not-A-Flag'], 'feature flag name'],
    ['a missing flag name', ['flag', 'enable'], 'flag enable takes 1 operand'],
    ['a malformed --org', ['flag', 'disable', 'k8s_namespace_isolation', '--org', 'one'], '--org must be an organization id'],
  ])('refuses %s with exit code 2 and a message on stderr', (_case, args, message) => {
    const result = gatehouse(...args);
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(message);
  });
});

describe('gatehouse admin', { timeout: CLI_TIMEOUT_MS }, () => {
  it('grants and revokes instance administration to an existing user', () => {
    const granted = json(gatehouse('admin', 'grant', '--email', 'owner@acme.test'));
    expect(granted).toMatchObject({ email: 'owner@acme.test', instanceAdmin: true });
    expect(json(gatehouse('admin', 'revoke', '--email', 'owner@acme.test'))).toMatchObject({ instanceAdmin: false, revoked: true });
    expect(json(gatehouse('admin', 'revoke', '--email', 'owner@acme.test'))).toMatchObject({ revoked: false });
  });

  it('refuses an email no user has, and a missing --email, with exit code 2', () => {
    const stranger = gatehouse('admin', 'grant', '--email', 'nobody@acme.test');
    expect(stranger.status).toBe(2);
    expect(stranger.stderr).toContain('No user has the email nobody@acme.test');
    const missing = gatehouse('admin', 'grant');
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('--email is required');
  });
});
