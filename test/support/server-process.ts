import { execFile, spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { ROOT_DIR } from '../../src/paths.js';
import type { GqlError, GqlResponse } from './harness.js';
import { createTestDatabase } from './test-database.js';

/**
 * The BUILT server (`node dist/src/main.js`) as operators run it, in a child process, for the
 * tests that are about processes: signals, exit codes, several replicas on one database.
 * `npm test` builds first; run `npm run build` before running such a file alone.
 */

const SERVER = path.join(ROOT_DIR, 'dist/src/main.js');
const CLI = path.join(ROOT_DIR, 'dist/src/cli/main.js');
const running = new Set<ChildProcess>();

/** Where the processes keep their data: a fresh PostgreSQL database (TEST_DATABASE_URL) or a PGlite directory. */
export interface ServerStore {
  dialect: 'postgres' | 'pglite';
  /** Environment shared by the server and the CLI on this store (production mode, quiet logs). */
  env: Record<string, string>;
  close(): Promise<void>;
}

export async function createServerStore(): Promise<ServerStore> {
  const base = {
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    HOST: '127.0.0.1',
    PORT: '0',
    // Production requires one key for every replica on a shared database.
    GATEHOUSE_SECRET_KEY: crypto.randomBytes(32).toString('base64'),
  };
  if (process.env.TEST_DATABASE_URL) {
    const database = await createTestDatabase();
    return { dialect: 'postgres', env: { ...base, DATABASE_URL: database.url ?? '' }, close: () => database.close() };
  }
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-process-'));
  return {
    dialect: 'pglite',
    env: { ...base, DATABASE_URL: '', DATA_DIR: dataDir },
    close: async () => fs.rmSync(dataDir, { recursive: true, force: true }),
  };
}

/** Runs the built CLI (`gatehouse org create …`, `demo`) and returns the JSON it prints. */
export async function runCli<T>(env: Record<string, string>, args: string[]): Promise<T> {
  const { stdout } = await promisify(execFile)(process.execPath, [CLI, ...args], { env: { ...process.env, ...env }, encoding: 'utf8' });
  return JSON.parse(stdout) as T;
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface ServerProcess {
  child: ChildProcess;
  /** http://127.0.0.1:PORT/graphql */
  url: string;
  port: number;
  /** Settles when the process has exited, with its code or the signal that ended it. */
  exited: Promise<Exit>;
  /** What the process wrote to stdout and stderr so far, for failure messages. */
  output(): string;
  /** Resolves once the process has written a line matching `pattern` (a log line, with LOG_LEVEL low enough). */
  printed(pattern: RegExp): Promise<void>;
}

/** Starts the built server with `env` on top of this process's environment; resolves once it serves. */
export function startServerProcess(env: Record<string, string>): Promise<ServerProcess> {
  const child = spawn(process.execPath, [SERVER], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  let out = '';
  const exited = new Promise<Exit>((resolve) => {
    child.once('exit', (code, signal) => {
      running.delete(child);
      resolve({ code, signal });
    });
  });
  child.stderr?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const printed = (pattern: RegExp) =>
    new Promise<void>((resolve, reject) => {
      const check = () => {
        if (!pattern.test(out)) return;
        child.stdout?.off('data', check);
        resolve();
      };
      child.stdout?.on('data', check);
      void exited.then(() => reject(new Error(`the server exited without printing ${String(pattern)}: ${out}`)));
      check();
    });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the server did not start within 30 s: ${out}`)), 30_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /serving http:\/\/localhost:(\d+)\/graphql/.exec(out);
      if (match?.[1]) {
        clearTimeout(timer);
        const port = Number(match[1]);
        resolve({ child, url: `http://127.0.0.1:${port}/graphql`, port, exited, output: () => out, printed });
      }
    });
    void exited.then((exit) => {
      clearTimeout(timer);
      reject(new Error(`the server exited (${exit.code ?? exit.signal}) before serving: ${out}`));
    });
  });
}

/** For afterAll: SIGKILL every server this file started that is still running. */
export function killServerProcesses(): void {
  for (const child of running) child.kill('SIGKILL');
}

/**
 * POSTs a GraphQL operation over a connection of its own, as a separate client would, or through
 * `agent` (a keep-alive agent reuses its connections); rejects when the connection fails or is
 * closed before the whole answer arrived.
 */
export function postGraphQL(
  url: string,
  token: string | undefined,
  query: string,
  variables: Record<string, unknown> = {},
  agent?: http.Agent,
): Promise<{ status: number; raw: string }> {
  const body = JSON.stringify({ query, variables });
  return new Promise((resolve, reject) => {
    const request = http.request(
      url,
      {
        method: 'POST',
        agent: agent ?? false,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...(token ? { authorization: `Bearer ${token}` } : {}) },
      },
      (response) => {
        let raw = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (raw += chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, raw }));
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

/** postGraphQL, parsed. */
export async function gqlAt<T = Record<string, unknown>>(
  url: string,
  token: string | undefined,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<GqlResponse<T>> {
  const { status, raw } = await postGraphQL(url, token, query, variables);
  const body = JSON.parse(raw) as { data?: T | null; errors?: GqlError[] };
  return { status, data: body.data ?? null, errors: body.errors ?? [], raw };
}
