import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { openDatabase } from '../../src/db/connect.js';
import { migrateToLatest } from '../../src/db/migrate.js';

/** The template database lives beside the admin database, so that concurrent runs never share one. */
export function templateName(adminUrl: string): string {
  const name = new URL(adminUrl).pathname.slice(1) || 'postgres';
  return `${name.replace(/[^a-z0-9_]/gi, '_')}_template`.slice(0, 60);
}

function urlFor(base: string, database: string): string {
  const url = new URL(base);
  url.pathname = `/${database}`;
  return url.toString();
}

/**
 * Where global setup leaves the migrated PGlite image (a `dumpDataDir()` tarball) for the test
 * files; the workers inherit this process's environment.
 */
export const PGLITE_IMAGE_ENV = 'GATEHOUSE_TEST_PGLITE_IMAGE';

/**
 * With TEST_DATABASE_URL (an admin connection to PostgreSQL), migrates a template database once;
 * every test file then clones it (CREATE DATABASE … TEMPLATE), which takes milliseconds.
 * Without it, migrates one in-memory PGlite and writes its image to a file, which every test
 * file opens as its own copy: the same migrations, run once instead of once per file.
 */
export default async function setup(): Promise<() => Promise<void>> {
  buildIfStale();
  const admin = process.env.TEST_DATABASE_URL;
  if (!admin) return pgliteImage();
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  const template = templateName(admin);
  await client.query(`drop database if exists ${template} with (force)`);
  await client.query(`create database ${template}`);
  await client.end();
  const handle = openDatabase({ url: urlFor(admin, template), poolMax: 1 });
  await migrateToLatest(handle.db);
  await handle.close();
  return async () => {
    const cleanup = new pg.Client({ connectionString: admin });
    await cleanup.connect();
    await cleanup.query(`drop database if exists ${template} with (force)`);
    await cleanup.end();
  };
}

async function pgliteImage(): Promise<() => Promise<void>> {
  const handle = openDatabase({ dataDir: 'memory://' });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-pglite-image-'));
  try {
    await migrateToLatest(handle.db);
    if (!handle.dumpDataDir) throw new Error('openDatabase gave PGlite without dumpDataDir');
    const image = await handle.dumpDataDir();
    const file = path.join(dir, 'migrated.tar.gz');
    fs.writeFileSync(file, Buffer.from(await image.arrayBuffer()));
    process.env[PGLITE_IMAGE_ENV] = file;
  } finally {
    await handle.close();
  }
  return async () => {
    delete process.env[PGLITE_IMAGE_ENV];
    fs.rmSync(dir, { recursive: true, force: true });
  };
}

/**
 * Several suites run the built server (dist/): after an edit of src/, `npx vitest run
 * test/x.test.ts` must test the edit, not the last build. `npm start`'s own check rebuilds only
 * when something the build reads is newer than the last build (milliseconds when nothing is).
 */
function buildIfStale(): void {
  const script = fileURLToPath(new URL('../../scripts/build-if-stale.mjs', import.meta.url));
  const result = spawnSync(process.execPath, [script], { stdio: 'inherit' });
  if (result.status !== 0)
    throw new Error('The build failed (see above): the suites that run dist/ would test stale code. Fix the type errors, or run npm run build to see them.');
}

export { urlFor };
