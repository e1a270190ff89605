import crypto from 'node:crypto';
import type { LogEvent } from 'kysely';
import pg from 'pg';
import { openDatabase, type DatabaseHandle } from '../src/db/connect.js';
import { migrateToLatest } from '../src/db/migrate.js';

/**
 * The database of `npm run bench:load`, migrated and empty: embedded PGlite in memory, or, with
 * BENCH_DATABASE_URL (an admin connection to PostgreSQL; `admin` instead when given, null for
 * PGlite), a throw-away database beside it that `close()` drops. PGlite runs one statement at a
 * time in this process, so a statement more per request weighs more there than on PostgreSQL's
 * pool; the run says which one it measured.
 */
export async function openBenchDatabase(
  onQuery: (event: LogEvent) => void,
  admin: string | null = process.env.BENCH_DATABASE_URL ?? null,
): Promise<DatabaseHandle & { label: string }> {
  if (!admin) {
    const handle = openDatabase({ dataDir: 'memory://', onQuery });
    await migrateToLatest(handle.db);
    return { ...handle, label: 'PGlite in memory' };
  }
  const name = `gatehouse_bench_${crypto.randomBytes(4).toString('hex')}`;
  const run = async (statement: string) => {
    const client = new pg.Client({ connectionString: admin });
    await client.connect();
    try {
      await client.query(statement);
    } finally {
      await client.end();
    }
  };
  await run(`create database ${name}`);
  const url = new URL(admin);
  url.pathname = `/${name}`;
  const handle = openDatabase({ url: url.toString(), poolMax: 10, onQuery });
  await migrateToLatest(handle.db);
  return {
    ...handle,
    label: 'PostgreSQL (pool of 10)',
    close: async () => {
      await handle.close();
      await run(`drop database if exists ${name} with (force)`);
    },
  };
}
