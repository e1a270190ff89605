import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT_DIR } from '../../src/paths.js';
import { createServerStore } from './server-process.js';

const CLI = path.join(ROOT_DIR, 'dist/src/cli/main.js');

/**
 * Each command is a new process; on PGlite it opens (and on first use migrates) the WASM engine,
 * seconds each and many more on a loaded machine, so more than vitest's 30 s default.
 */
export const CLI_TIMEOUT_MS = 120_000;

/** Runs the built `gatehouse …args` to its exit, with `env` over this process's environment. */
export function runGatehouse(args: readonly string[], env: Record<string, string | undefined> = {}): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [CLI, ...args], { env: { ...process.env, ...env }, encoding: 'utf8' });
}

/** The built `gatehouse` bin on a store of its own, and a directory for the files it reads. */
export interface CliStore {
  dialect: 'postgres' | 'pglite';
  /** A throw-away directory for the files a test hands the CLI. */
  workDir: string;
  /** Runs `gatehouse …args` to its exit, with `env` added to the store's environment. */
  run(args: string[], env?: Record<string, string>): SpawnSyncReturns<string>;
  close(): Promise<void>;
}

/**
 * The store is the server's (test/support/server-process.ts): a clone of the template under
 * TEST_DATABASE_URL, where a command takes under a second, or a fresh PGlite directory, where
 * each takes seconds. `npm test` runs the CLI suites on PostgreSQL; the PGlite pass of CI
 * (vitest.pglite.config.ts) runs test/cli/commands.test.ts on PGlite, and test/embedded and
 * test/cli/output.test.ts use PGlite directories in both.
 */
export async function createCliStore(env: Record<string, string> = {}): Promise<CliStore> {
  const store = await createServerStore();
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-cli-'));
  const base = { ...store.env, ...env };
  return {
    dialect: store.dialect,
    workDir,
    run: (args, more = {}) => runGatehouse(args, { ...base, ...more }),
    close: async () => {
      fs.rmSync(workDir, { recursive: true, force: true });
      await store.close();
    },
  };
}
