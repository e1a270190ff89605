import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT_DIR } from '../../src/paths.js';

// The embedded default (issue 2 "Done when"): the built server on PGlite, an organization made with
// the CLI, a query with its token, a restart, and the data still there. `npm test` builds first.
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-smoke-'));
const env = { ...process.env, DATA_DIR: dataDir, DATABASE_URL: '', NODE_ENV: 'production', LOG_LEVEL: 'warn', PORT: '0', HOST: '127.0.0.1' };
const cli = path.join(ROOT_DIR, 'dist/src/cli/main.js');
const server = path.join(ROOT_DIR, 'dist/src/main.js');
const running: ChildProcess[] = [];

function startServer(): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [server], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  running.push(child);
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`server did not start: ${out}`)), 30_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /serving (http:\/\/localhost:\d+\/graphql)/.exec(out);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve({ child, url: match[1].replace('localhost', '127.0.0.1') });
      }
    });
    child.stderr?.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.once('exit', (code) => reject(new Error(`server exited ${String(code)}: ${out}`)));
  });
}

function stopServer(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    child.once('exit', (code) => resolve(code));
    child.kill('SIGTERM');
  });
}

async function viewer(url: string, token: string) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: '{ viewer { user { email } memberships { organization { id name } role { kind } } } }' }),
  });
  return (await response.json()) as {
    data: { viewer: { user: { email: string }; memberships: Array<{ organization: { id: string; name: string }; role: { kind: string } }> } };
  };
}

afterAll(() => {
  for (const child of running) child.kill('SIGKILL');
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('the embedded default', () => {
  it('serves an organization created by the CLI, and keeps it across a restart', async () => {
    const created = spawnSync(process.execPath, [cli, 'org', 'create', '--name', 'Smoke Org', '--owner-email', 'smoke@example.com'], { env, encoding: 'utf8' });
    expect(created.status, created.stderr).toBe(0);
    const { organizationId, ownerUserId, token } = JSON.parse(created.stdout) as { organizationId: number; ownerUserId: string; token: string };
    expect(organizationId).toBeGreaterThan(0);
    expect(ownerUserId).toMatch(/^[0-9a-f-]{36}$/);
    expect(token).toMatch(/^gth_/);

    const first = await startServer();
    const before = await viewer(first.url, token);
    expect(before.data.viewer.memberships).toEqual([{ organization: { id: String(organizationId), name: 'Smoke Org' }, role: { kind: 'OWNER' } }]);

    // A second process on the same data directory is refused with what to do instead.
    const second = spawnSync(process.execPath, [cli, 'migrate'], { env, encoding: 'utf8' });
    expect(second.status).not.toBe(0);
    expect(second.stderr).toContain('in use by the Gatehouse server');
    expect(second.stderr).toContain('Stop that process first');

    expect(await stopServer(first.child)).toBe(0);
    const again = await startServer();
    const after = await viewer(again.url, token);
    expect(after.data.viewer).toEqual(before.data.viewer);
    expect(await stopServer(again.child)).toBe(0);
  }, 120_000);
});
