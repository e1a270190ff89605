// Fetching and verifying the code to run (SPEC §7 "Code reaches the runtime from the gateway, from
// Git, or from a Studio project's definition"). Which source it is, and how to check it, is in the
// Deployment's env; where to fetch it and the credential are in the Secret:
//
//   zip    GATEHOUSE_SOURCE_ARCHIVE_SHA256      GET GATEHOUSE_CODE_URL (ingest token) → application/zip
//   studio GATEHOUSE_SOURCE_DEFINITION_SHA256   GET GATEHOUSE_CODE_URL (ingest token) → application/json
//   git    GATEHOUSE_SOURCE_REPOSITORY_URL      git clone (GATEHOUSE_GIT_USERNAME, GATEHOUSE_GIT_TOKEN) at GATEHOUSE_SOURCE_REF
//
// The bytes are checked against the digest the gateway put in the Deployment, so a pod never runs
// code other than the version it was deployed with, whatever answered the download.
import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { unzipInto } from './unzip.mjs';

const execFileAsync = promisify(execFile);
const sha256 = (bytes) => crypto.createHash('sha256').update(bytes).digest('hex');

function required(env, name) {
  const value = env[name];
  if (!value) throw new Error(`${name} is not set: the automation's Secret or Deployment should carry it (README "Runner contract").`);
  return value;
}

/** GET GATEHOUSE_CODE_URL with the ingest token; the body, checked against `expected` and the ETag. */
async function download(env, mediaType, expected) {
  const url = required(env, 'GATEHOUSE_CODE_URL');
  const response = await fetch(url, { headers: { authorization: `Bearer ${required(env, 'GATEHOUSE_INGEST_TOKEN')}` }, redirect: 'error' });
  if (response.status !== 200) throw new Error(`GET ${url} answered ${response.status}: ${(await response.text()).slice(0, 300)}`);
  const contentType = (response.headers.get('content-type') ?? '').split(';')[0].trim();
  if (contentType !== mediaType) throw new Error(`GET ${url} sent ${contentType || 'no content type'}, expected ${mediaType}.`);
  const bytes = Buffer.from(await response.arrayBuffer());
  const actual = sha256(bytes);
  if (actual !== expected)
    throw new Error(`The code downloaded from ${url} has SHA-256 ${actual}, but this version was deployed with ${expected}; refusing to run it.`);
  // The ETag names the same digest; a mismatch means the gateway serves another version than it says.
  const etag = response.headers.get('etag');
  if (etag !== null && etag !== `"${expected}"`) throw new Error(`GET ${url} sent ETag ${etag}, expected "${expected}".`);
  return { bytes, etag };
}

async function fromZip(env, dir) {
  const expected = required(env, 'GATEHOUSE_SOURCE_ARCHIVE_SHA256');
  const { bytes, etag } = await download(env, 'application/zip', expected);
  const files = await unzipInto(bytes, dir);
  return {
    type: 'zip',
    dir,
    attributes: {
      'gatehouse.source.type': 'zip',
      'gatehouse.source.sha256': expected,
      'gatehouse.source.etag': etag ?? '',
      'gatehouse.source.files': files.length,
    },
  };
}

async function fromStudio(env) {
  const expected = required(env, 'GATEHOUSE_SOURCE_DEFINITION_SHA256');
  const { bytes } = await download(env, 'application/json', expected);
  const definition = JSON.parse(bytes.toString('utf8'));
  return { type: 'studio', definition, attributes: { 'gatehouse.source.type': 'studio', 'gatehouse.source.sha256': expected } };
}

// Answers git's credential question from the environment; git runs it with `sh`, and asks it
// only after the server has answered 401, for that server alone.
const CREDENTIAL_HELPER =
  '!f() { test "$1" = get && printf \'username=%s\\npassword=%s\\n\' "${GATEHOUSE_GIT_USERNAME:-x-access-token}" "$GATEHOUSE_GIT_TOKEN"; }; f';

/**
 * git with nothing but what this process was given: no system or user configuration, no prompt
 * (a missing credential fails instead of waiting for a terminal), and the credential handed over
 * by a helper that reads the environment, so that the token is in neither a command line, nor a
 * URL, nor .git/config. GIT_SSL_CAINFO, when the image sets it, is the trust for a self-hosted
 * server's certificate.
 */
function gitEnv(env, home) {
  const credential = env.GATEHOUSE_GIT_TOKEN
    ? {
        GIT_CONFIG_COUNT: '1',
        GIT_CONFIG_KEY_0: 'credential.helper',
        GIT_CONFIG_VALUE_0: CREDENTIAL_HELPER,
        GATEHOUSE_GIT_TOKEN: env.GATEHOUSE_GIT_TOKEN,
        GATEHOUSE_GIT_USERNAME: env.GATEHOUSE_GIT_USERNAME ?? '',
      }
    : {};
  const trust = env.GIT_SSL_CAINFO ? { GIT_SSL_CAINFO: env.GIT_SSL_CAINFO } : {};
  return {
    PATH: env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    HOME: home,
    GIT_TERMINAL_PROMPT: '0',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    ...trust,
    ...credential,
  };
}

async function fromGit(env, dir) {
  const url = required(env, 'GATEHOUSE_SOURCE_REPOSITORY_URL');
  const ref = required(env, 'GATEHOUSE_SOURCE_REF');
  const options = { env: gitEnv(env, path.dirname(dir)), timeout: 60_000 };
  const git = (...args) => execFileAsync('git', args, options).then(({ stdout }) => stdout.trim());
  try {
    await git('clone', '--quiet', '--no-checkout', url, dir);
  } catch (error) {
    throw new Error(
      `git clone ${url} failed${env.GATEHOUSE_GIT_TOKEN ? '' : ' (no GATEHOUSE_GIT_TOKEN in the environment)'}: ${String(error.stderr || error.message).trim()}`,
    );
  }
  // A branch is a remote-tracking ref after the clone; a tag or a commit resolves as it is.
  let commit = null;
  for (const candidate of [`refs/remotes/origin/${ref}`, `refs/tags/${ref}`, ref]) {
    commit = await git('-C', dir, 'rev-parse', '--verify', '--quiet', `${candidate}^{commit}`).catch(() => null);
    if (commit) break;
  }
  if (!commit) throw new Error(`${url} has no branch, tag or commit ${ref} (GATEHOUSE_SOURCE_REF).`);
  await git('-C', dir, 'checkout', '--quiet', '--detach', commit);
  return {
    type: 'git',
    dir,
    attributes: { 'gatehouse.source.type': 'git', 'gatehouse.source.repository': url, 'gatehouse.source.ref': ref, 'gatehouse.source.commit': commit },
  };
}

/** Fetches and verifies this version's code into `workDir`; which source it is, the Deployment's env says. */
export async function fetchCode(env, workDir) {
  const dir = path.join(workDir, 'code');
  if (env.GATEHOUSE_SOURCE_ARCHIVE_SHA256) {
    await fs.promises.mkdir(dir, { recursive: true });
    return fromZip(env, dir);
  }
  if (env.GATEHOUSE_SOURCE_DEFINITION_SHA256) return fromStudio(env);
  if (env.GATEHOUSE_SOURCE_REPOSITORY_URL) return fromGit(env, dir);
  throw new Error(
    'No source in the environment: expected GATEHOUSE_SOURCE_ARCHIVE_SHA256, GATEHOUSE_SOURCE_DEFINITION_SHA256 or GATEHOUSE_SOURCE_REPOSITORY_URL (README "Runner contract").',
  );
}
