import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT_DIR } from '../../src/paths.js';

// Each command is a new process that opens (and on first use migrates) an embedded PGlite
// directory: seconds each, many more on a loaded machine, so more than vitest's 30 s default.
const CLI_TIMEOUT_MS = 120_000;

// `gatehouse flag …` and `gatehouse admin …`, the operator's side of SPEC §5's instance feature
// flag; the built bin on a throw-away PGlite directory, as in commands.test.ts.
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-cli-flags-'));
const env = { ...process.env, DATA_DIR: dataDir, DATABASE_URL: '', NODE_ENV: 'production', LOG_LEVEL: 'warn' };
const gatehouse = (...args: string[]) =>
  spawnSync(process.execPath, [path.join(ROOT_DIR, 'dist/src/cli/main.js'), ...args], { env, encoding: 'utf8' });

function json(result: ReturnType<typeof gatehouse>): unknown {
  expect(result.status, result.stderr).toBe(0);
  expect(result.stdout.trim().split('\n')).toHaveLength(1);
  return JSON.parse(result.stdout);
}

beforeAll(() => {
  json(gatehouse('org', 'create', '--name', 'Acme', '--owner-email', 'owner@acme.test'));
});
afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

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
