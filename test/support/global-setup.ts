import pg from 'pg';
import { openDatabase } from '../../src/db/connect.js';
import { migrateToLatest } from '../../src/db/migrate.js';

export const TEMPLATE_DB = 'gatehouse_test_template';

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
  await client.query(`drop database if exists ${TEMPLATE_DB} with (force)`);
  await client.query(`create database ${TEMPLATE_DB}`);
  await client.end();
  const handle = openDatabase({ url: urlFor(admin, TEMPLATE_DB), poolMax: 1 });
  await migrateToLatest(handle.db);
  await handle.close();
  return async () => {};
}

export { urlFor };
