import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertExecution } from '../../src/modules/executions/executions.repository.js';
import { ROOT_DIR } from '../../src/paths.js';
import { connectRepo, deployNew } from '../support/automation-fixtures.js';
import { storeSpans } from '../support/execution-fixtures.js';
import { createOrg, type OrgFixture } from '../support/fixtures.js';
import { startTestGateway, type TestGateway } from '../support/harness.js';

// Issue 11 "Done when: the README's partner section works when pasted into a shell". Its code
// blocks are taken from README.md as they stand and run: the shell ones with bash, in order, as
// one session; the TypeScript one with tsx.
const execFileAsync = promisify(execFile);
let gw: TestGateway;
let org: OrgFixture;
let automation = '';
let run = '';

function section(): string {
  const readme = fs.readFileSync(path.join(ROOT_DIR, 'README.md'), 'utf8');
  const start = readme.indexOf('## For partners');
  const end = readme.indexOf('\n## ', start + 1);
  if (start < 0) throw new Error('README.md has no "## For partners" section');
  return readme.slice(start, end < 0 ? undefined : end);
}

const blocks = (language: string) => [...section().matchAll(new RegExp('```' + language + '\\n([\\s\\S]*?)```', 'g'))].map((m) => m[1] ?? '');

beforeAll(async () => {
  gw = await startTestGateway();
  org = await createOrg(gw);
  const repo = await connectRepo(gw, org.owner.token, org.organizationId);
  automation = (await deployNew(gw, org.owner.token, org.organizationId, repo)).automationId;
  const other = (await deployNew(gw, org.owner.token, org.organizationId, repo)).automationId;
  for (const [automationId, status] of [
    [automation, 'SUCCEEDED'],
    [other, 'SUCCEEDED'],
    [automation, 'FAILED'],
  ] as const) {
    const row = await insertExecution(gw.db, {
      organizationId: org.organizationId,
      automationId,
      deploymentId: null,
      inputs: '{}',
      status,
      error: status === 'FAILED' ? 'broke' : null,
    });
    await storeSpans(gw.db, org.organizationId, row.id, [
      { name: 'crew.kickoff', start: Date.now(), end: Date.now() + 5 },
      { name: 'llm.chat', start: Date.now() + 1, end: Date.now() + 2 },
    ]);
    if (automationId === automation) run = row.id;
  }
});
afterAll(async () => gw.close());

describe('README "For partners"', () => {
  it("the shell blocks run as pasted: a scoped token pages its automation's runs and spans, and is refused the rest", async () => {
    const script = ['set -euo pipefail', ...blocks('sh'), 'echo "PARTNER_TOKEN=$PARTNER_TOKEN"'].join('\n');
    const { stdout } = await execFileAsync('bash', ['-c', script], {
      env: { PATH: process.env.PATH, GATEHOUSE: new URL(gw.url).origin, OWNER_TOKEN: org.owner.token, ORG: String(org.organizationId), AUTOMATION: automation },
      timeout: 60_000,
    });
    const lines = stdout.trim().split('\n');
    const runs = lines.filter((line) => line.startsWith('{"id"')).map((line) => JSON.parse(line) as { id: string; status: string; automation: { id: string } });
    // Both finished runs of its automation, oldest first; none of the other automation.
    expect(runs.map((r) => [r.status, r.automation.id])).toEqual([
      ['SUCCEEDED', automation],
      ['FAILED', automation],
    ]);
    expect(runs.at(-1)?.id).toBe(run);
    expect(lines.filter((line) => line.startsWith('{"name"')).map((line) => JSON.parse(line))).toEqual([
      { name: 'crew.kickoff', statusCode: 'OK' },
      { name: 'llm.chat', statusCode: 'OK' },
    ]);
    expect(lines).toContain('Cannot query field "members" on type "Organization".');
    const token = lines.find((line) => line.startsWith('PARTNER_TOKEN='))?.slice('PARTNER_TOKEN='.length) ?? '';
    expect(token).toMatch(/^gth_/);

    // The TypeScript block, with the token the shell made.
    const [ts = ''] = blocks('ts');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'partner-ts-'));
    const file = path.join(dir, 'client.mts');
    fs.writeFileSync(
      file,
      `${ts}\nconst result = await spansSince(process.argv[2] ?? '');\nconsole.log(JSON.stringify({ names: result.spans.map((s) => s.name), status: result.status, again: (await spansSince(process.argv[2] ?? '', result.cursor)).spans.length }));\n`,
    );
    const tsx = path.join(ROOT_DIR, 'node_modules/.bin/tsx');
    const out = await execFileAsync(tsx, [file, run], {
      env: { PATH: process.env.PATH, GATEHOUSE: new URL(gw.url).origin, PARTNER_TOKEN: token, ORG: String(org.organizationId) },
      timeout: 60_000,
    });
    fs.rmSync(dir, { recursive: true, force: true });
    // Resuming from the returned cursor gets nothing new: nothing arrived since.
    expect(JSON.parse(out.stdout.trim())).toEqual({ names: ['crew.kickoff', 'llm.chat'], status: 'FAILED', again: 0 });
  });
});
