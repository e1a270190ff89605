import { execFile } from 'node:child_process';
import fs from 'node:fs';
import type http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** A Git repository served over HTTPS, read-only, to holders of one credential. */
export interface GitHttpRepo {
  /** The clone URL, without the credential. */
  url: string;
  /** The server's self-signed certificate: what a runner image trusting this server would carry (GIT_SSL_CAINFO). */
  caFile: string;
  /** The commit the branch `main` and the tag `v1` point at. */
  commit: string;
  /** Every request, with the status it got: a 401 shows a clone without the credential. */
  requests: Array<{ path: string; status: number }>;
  close(): Promise<void>;
}

/** git as the test runs it: none of this machine's configuration, never a prompt. */
async function git(cwd: string, ...args: string[]): Promise<string> {
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: cwd, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', GIT_TERMINAL_PROMPT: '0' };
  const { stdout } = await execFileAsync('git', args, { cwd, env });
  return stdout.trim();
}

/**
 * A certificate for 127.0.0.1, valid for a day: a connected repository's clone URL must be
 * https:// (src/modules/git-repos/git-read-credential.ts), so the test's server speaks TLS too.
 */
async function selfSigned(dir: string): Promise<{ key: string; cert: string }> {
  const key = path.join(dir, 'key.pem');
  const cert = path.join(dir, 'cert.pem');
  await execFileAsync('openssl', [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-days',
    '1',
    '-subj',
    '/CN=127.0.0.1',
    '-addext',
    'subjectAltName=IP:127.0.0.1',
    '-keyout',
    key,
    '-out',
    cert,
  ]);
  return { key, cert };
}

/**
 * The credential as a Git host checks it: HTTP basic auth whose password is the token (GitHub's
 * `x-access-token:<token>`, any user name), or a bearer token.
 */
function authorized(header: string | undefined, credential: string): boolean {
  if (header === `Bearer ${credential}`) return true;
  const basic = /^Basic (.+)$/.exec(header ?? '');
  if (!basic?.[1]) return false;
  const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
  return decoded.slice(decoded.indexOf(':') + 1) === credential;
}

/**
 * A bare repository holding `files` in one commit (branch `main`, tag `v1`), served by a static
 * HTTPS file server: Git's "dumb HTTP" protocol, which needs only `git update-server-info` and GETs of
 * the repository's files. `name` is the path, such as `acme/crew.git`.
 */
export async function serveGitRepo(name: string, files: Record<string, string>, credential: string): Promise<GitHttpRepo> {
  const base = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'gatehouse-git-'));
  const root = path.join(base, 'served');
  const bare = path.join(root, name);
  const work = path.join(base, 'work');
  await fs.promises.mkdir(bare, { recursive: true });
  await fs.promises.mkdir(work);
  await git(bare, 'init', '--quiet', '--bare', '--initial-branch=main');
  await git(work, 'init', '--quiet', '--initial-branch=main');
  for (const [file, content] of Object.entries(files)) {
    await fs.promises.mkdir(path.dirname(path.join(work, file)), { recursive: true });
    await fs.promises.writeFile(path.join(work, file), content);
  }
  await git(work, 'add', '.');
  await git(work, '-c', 'user.name=Test', '-c', 'user.email=test@example.test', 'commit', '--quiet', '-m', 'the crew');
  await git(work, 'tag', 'v1');
  await git(work, 'push', '--quiet', bare, 'main', 'v1');
  await git(bare, 'update-server-info');
  const commit = await git(work, 'rev-parse', 'HEAD');

  const tls = await selfSigned(base);
  const requests: GitHttpRepo['requests'] = [];
  const server = https.createServer(
    { key: await fs.promises.readFile(tls.key), cert: await fs.promises.readFile(tls.cert) },
    (req: http.IncomingMessage, res: http.ServerResponse) => {
      const pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://git.invalid').pathname);
      const answer = (status: number, body: Buffer | string, headers: Record<string, string> = {}) => {
        requests.push({ path: pathname, status });
        res.writeHead(status, { 'content-type': 'application/octet-stream', ...headers });
        res.end(body);
      };
      if (!authorized(req.headers.authorization, credential)) return answer(401, 'credential required', { 'www-authenticate': 'Basic realm="git"' });
      const file = path.join(root, pathname);
      if (req.method !== 'GET' || !file.startsWith(`${root}${path.sep}`)) return answer(404, 'not found');
      fs.readFile(file, (error, content) => (error ? answer(404, 'not found') : answer(200, content)));
    },
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `https://127.0.0.1:${(server.address() as AddressInfo).port}/${name}`,
    caFile: tls.cert,
    commit,
    requests,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await fs.promises.rm(base, { recursive: true, force: true });
    },
  };
}
