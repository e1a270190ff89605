import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_TIMEOUT_MS, createCliStore, type CliStore } from '../support/cli.js';

// The `gatehouse` bin as built by `npm test`'s build step, on a store of its own: a fresh
// PostgreSQL database in `npm test`, a fresh PGlite directory (migrated by the first command) in
// CI's PGlite pass (vitest.pglite.config.ts lists this file).
let cli: CliStore;
const gatehouse = (...args: string[]) => cli.run(args);
beforeAll(async () => {
  cli = await createCliStore();
});
afterAll(() => cli?.close());

describe('gatehouse CLI', { timeout: CLI_TIMEOUT_MS }, () => {
  it("org create prints one line of JSON with the Owner's token", () => {
    const result = gatehouse('org', 'create', '--name', 'Acme', '--owner-email', 'owner@acme.test');
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout.trim().split('\n')).toHaveLength(1);
    expect(JSON.parse(result.stdout)).toEqual({
      organizationId: 1,
      ownerUserId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      token: expect.stringMatching(/^gth_/),
    });
  });

  it('token create issues a token for an existing member, and refuses a stranger', () => {
    const ok = gatehouse('token', 'create', '--org', '1', '--user-email', 'owner@acme.test', '--expires-in-days', '7');
    expect(ok.status, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ organizationId: 1, token: expect.stringMatching(/^gth_/) });
    const stranger = gatehouse('token', 'create', '--org', '1', '--user-email', 'nobody@acme.test');
    expect(stranger.status).toBe(2);
    expect(stranger.stderr).toContain('is not a member of organization 1');
  });

  it('demo seeds a user per predefined role and template', () => {
    const result = gatehouse('demo');
    expect(result.status, result.stderr).toBe(0);
    const { users } = JSON.parse(result.stdout) as { users: Array<{ role: string; token: string }> };
    expect(users.map((u) => u.role)).toEqual(['Owner', 'Member', 'Developer', 'Viewer', 'Ops']);
  });

  it('a missing flag or unknown command exits 2 with the usage', () => {
    const missing = gatehouse('org', 'create', '--name', 'NoOwner');
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('--owner-email is required');
    expect(gatehouse('frobnicate').stderr).toContain('Unknown command');
  });
});
