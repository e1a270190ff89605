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

export { urlFor };
