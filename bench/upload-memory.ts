// Issue 15 §2, measured: N parallel zip uploads of ZIP_MAX_BYTES against a built server in a child
// process, and how far its resident memory grows. The red team's case is 30 uploads of 20 MiB.
//
//   npm run build --silent
//   DATABASE_URL=postgres://… npx tsx bench/upload-memory.ts [--root DIR] [--uploads 30] [--orgs 1] [--mib 20]
//
// --root runs another checkout's dist/ (to compare with the code before a change); --orgs spreads
// the uploads over that many organizations, one token each (round robin), to meet the cap on all
// uploads in progress rather than those per organization. Without DATABASE_URL: PGlite in a temp dir.
import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { ROOT_DIR } from '../src/paths.js';
import { zipOf } from '../test/support/zip.js';
import { rssMiB, startBuiltServer } from './built-server.js';

const { values } = parseArgs({ options: { root: { type: 'string' }, uploads: { type: 'string' }, orgs: { type: 'string' }, mib: { type: 'string' } } });
const root = path.resolve(values.root ?? ROOT_DIR);
const uploads = Number(values.uploads ?? 30);
const orgs = Number(values.orgs ?? 1);
const mib = Number(values.mib ?? 20);

const dataDir = process.env.DATABASE_URL ? undefined : fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-upload-memory-'));
const env = {
  ...process.env,
  NODE_ENV: 'production',
  LOG_LEVEL: 'warn',
  HOST: '127.0.0.1',
  PORT: '0',
  GATEHOUSE_SECRET_KEY: crypto.randomBytes(32).toString('base64'),
  ...(dataDir ? { DATABASE_URL: '', DATA_DIR: dataDir } : {}),
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function main(): Promise<void> {
  const cli = path.join(root, 'dist/src/cli/main.js');
  // Migrates, and leaves the embedded database free for the server (PGlite allows one process).
  await promisify(execFile)(process.execPath, [cli, 'migrate'], { env });
  const tokens: { organizationId: number; token: string }[] = [];
  for (let i = 0; i < orgs; i++) {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [cli, 'org', 'create', '--name', `upload-memory-${i}`, '--owner-email', `owner-${i}@example.com`],
      { env },
    );
    tokens.push(JSON.parse(stdout) as { organizationId: number; token: string });
  }
  const { process: server, pid, port } = await startBuiltServer(root, env);
  const post = async (n: number, body: Buffer) => {
    const { organizationId, token } = tokens[n % tokens.length] ?? { organizationId: 0, token: '' };
    try {
      const response = await fetch(`http://127.0.0.1:${port}/uploads/automation-archives?organizationId=${organizationId}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/zip' },
        body,
      });
      return { status: response.status, body: (await response.json()) as { sizeBytes?: number; error?: string } };
    } catch (error) {
      // A refusal the client never got to read (the connection reset under its upload) is named, not thrown.
      const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
      return {
        status: 0,
        body: { error: `no answer: ${cause instanceof Error ? `${(cause as { code?: string }).code ?? ''} ${cause.message}` : String(cause)}` },
      };
    }
  };
  // Distinct archives of random bytes (stored, not deflated): each passes inspection and is kept.
  const size = mib * 1024 * 1024 - 200;
  const archives = Array.from({ length: uploads }, () => zipOf({ 'data.bin': crypto.randomBytes(size) }));
  await post(0, zipOf({ 'warm.txt': 'up' }));
  await sleep(1_000);
  const before = rssMiB(pid);
  let peak = before;
  const sampler = setInterval(() => (peak = Math.max(peak, rssMiB(pid))), 20);
  const started = Date.now();
  const answers = await Promise.all(archives.map((body, n) => post(n, body)));
  const seconds = (Date.now() - started) / 1000;
  await sleep(3_000);
  clearInterval(sampler);
  const after = rssMiB(pid);
  const statuses: Record<string, number> = {};
  for (const answer of answers) {
    const key = `${answer.status}${answer.body.error ? ` ${answer.body.error}` : ''}`;
    statuses[key] = (statuses[key] ?? 0) + 1;
  }
  const storedMiB = answers.reduce((sum, answer) => sum + (answer.body.sizeBytes ?? 0), 0) / 1024 / 1024;
  process.stdout.write(
    `${JSON.stringify({ root, uploads, orgs, mib, seconds, rssMiB: { before: Math.round(before), peak: Math.round(peak), after: Math.round(after), growth: Math.round(peak - before) }, statuses, storedMiB: Math.round(storedMiB) })}\n`,
  );
  server.kill('SIGTERM');
  await new Promise((resolve) => server.once('exit', resolve));
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
