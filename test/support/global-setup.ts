import { spawnSync } from 'node:child_process';
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
 * With TEST_DATABASE_URL (an admin connection to PostgreSQL), migrates a template database once;
 * every test file then clones it (CREATE DATABASE … TEMPLATE), which takes milliseconds.
 * Without it, each file migrates its own in-memory PGlite.
 */
export default async function setup(): Promise<() => Promise<void>> {
  buildIfStale();
  const admin = process.env.TEST_DATABASE_URL;
  if (!admin) return async () => {};
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

/**
 * Several suites run the built server (dist/): after an edit of src/, `npx vitest run
 * test/x.test.ts` must test the edit, not the last build. `npm start`'s own check rebuilds only
 * when something the build reads is newer than the last build (milliseconds when nothing is).
 */
function buildIfStale(): void {
  const script = fileURLToPath(new URL('../../scripts/build-if-stale.mjs', import.meta.url));
  const result = spawnSync(process.execPath, [script], { stdio: 'inherit' });
  if (result.status !== 0) throw new Error('The build failed (see above): the suites that run dist/ would test stale code. Fix the type errors, or run npm run build to see them.');
}

export { urlFor };
