import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { LogEvent } from 'kysely';
import pg from 'pg';
import { openDatabase, type DatabaseHandle } from '../src/db/connect.js';
import { migrateToLatest } from '../src/db/migrate.js';

/**
 * The database of a process that both seeds and serves it (`npm run bench`, bench:schema-cache,
 * bench/ingest-gateway.ts), migrated and empty: embedded PGlite in memory, or, with
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
  const created = await createPostgresDatabase(admin);
  const handle = openDatabase({ url: created.url, poolMax: 10, onQuery });
  await migrateToLatest(handle.db);
  return {
    ...handle,
    label: 'PostgreSQL (pool of 10)',
    close: async () => {
      await handle.close();
      await created.drop();
    },
  };
}

/** A new, empty database on the PostgreSQL server of `admin`, and how to drop it. */
export async function createPostgresDatabase(admin: string): Promise<{ url: string; drop(): Promise<void> }> {
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
  return { url: url.toString(), drop: () => run(`drop database if exists ${name} with (force)`) };
}

/**
 * Where a server process of a benchmark finds its database (bench/server-process.ts): a
 * PostgreSQL database, or a PGlite data directory, which one process at a time may open.
 */
export type DatabaseSpec = { url: string } | { dataDir: string };

/** A database this process seeds and then hands to server processes. */
export interface SharedDatabase {
  spec: DatabaseSpec;
  label: string;
  handle: DatabaseHandle;
  /** Closes this process's connection: a PGlite directory can then be opened by a server process. */
  release(): Promise<void>;
  /** Drops the PostgreSQL database or deletes the PGlite directory. */
  drop(): Promise<void>;
}

/**
 * A migrated, empty database for server processes: a throw-away PostgreSQL database beside
 * BENCH_DATABASE_URL, or a PGlite data directory under the system's temporary directory (on
 * disk, since another process opens it; PGlite served the automations screen as fast from a
 * directory as from memory).
 */
export async function createSharedDatabase(admin: string | null = process.env.BENCH_DATABASE_URL ?? null): Promise<SharedDatabase> {
  if (admin) {
    const created = await createPostgresDatabase(admin);
    return shared({ url: created.url }, 'PostgreSQL (pool of 10)', openDatabase({ url: created.url, poolMax: 10 }), created.drop);
  }
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-bench-'));
  const handle = openDatabase({ dataDir, holder: 'a benchmark seeding it' });
  return shared({ dataDir }, 'PGlite (a data directory in the server process)', handle, async () => fs.rmSync(dataDir, { recursive: true, force: true }));
}

async function shared(spec: DatabaseSpec, label: string, handle: DatabaseHandle, remove: () => Promise<void>): Promise<SharedDatabase> {
  await migrateToLatest(handle.db);
  let released: Promise<void> | undefined;
  const release = () => (released ??= handle.close());
  return {
    spec,
    label,
    handle,
    release,
    drop: async () => {
      await release();
      await remove();
    },
  };
}

/**
 * Opens a shared database in a server process. `copy`: a PGlite directory is copied first, so
 * that several processes can each open the same data (a copy each, deleted by `close()`).
 */
export function openSharedDatabase(spec: DatabaseSpec, onQuery: (event: LogEvent) => void, copy: boolean): DatabaseHandle {
  // Kept open when idle, as the gateway's pool is by default (DATABASE_POOL_MIN): each target
  // waits idle through the other's runs, and would otherwise reconnect at the start of its own.
  if ('url' in spec) return openDatabase({ url: spec.url, poolMax: 10, poolMin: 10, onQuery });
  if (!copy) return openDatabase({ dataDir: spec.dataDir, holder: 'a benchmark server', onQuery });
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-bench-copy-'));
  fs.cpSync(spec.dataDir, dataDir, { recursive: true, filter: (source) => path.basename(source) !== 'gatehouse.lock' });
  const handle = openDatabase({ dataDir, holder: 'a benchmark server', onQuery });
  return {
    ...handle,
    close: async () => {
      await handle.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
