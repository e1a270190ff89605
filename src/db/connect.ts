import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { CamelCasePlugin, Kysely, PostgresDialect, type LogEvent } from 'kysely';
import { PGliteDialect } from 'kysely-pglite-dialect';
import pg from 'pg';
import type { PoolStats } from '../observability/metrics.js';
import type { Database } from './database.js';
import { lockDataDir, type DataDirLock } from './pglite-lock.js';
import { preparingPool } from './prepared-statements.js';

// int8 (counts, token budgets) as JavaScript numbers: every int8 Gatehouse stores stays far
// below 2^53, and a string would leak into the API's Int fields.
pg.types.setTypeParser(pg.types.builtins.INT8, (value: string) => Number(value));

export interface DatabaseOptions {
  /** PostgreSQL connection string; unset: embedded PGlite. */
  url?: string | undefined;
  /** PGlite data directory; `memory://` for a throw-away database. */
  dataDir?: string;
  poolMax?: number;
  /** PostgreSQL connections the pool keeps open when idle (pg-pool's `min`); the others close after `poolIdleMillis`. */
  poolMin?: number;
  /** How long a connection above `poolMin` stays open idle; pg-pool's 10 s unless set. */
  poolIdleMillis?: number;
  /** An idle PostgreSQL connection ended by the server (a restart, a failover, pg_terminate_backend). */
  onIdleConnectionLost?: (error: Error) => void;
  /** Who holds the PGlite lock, for the message another process gets. */
  holder?: string;
  /** Called for every executed statement (benchmarks count them). */
  onQuery?: (event: LogEvent) => void;
  /**
   * PGlite only: start from this image of a data directory (`dumpDataDir()` of another
   * database) instead of an empty one. The tests migrate one image and open a copy per file:
   * PGlite's initdb alone takes 3 s, the copy under one.
   */
  loadDataDir?: Blob;
}

export interface DatabaseHandle {
  db: Kysely<Database>;
  dialect: 'postgres' | 'pglite';
  /** The pool's connections now, for /metrics; PostgreSQL only (PGlite is one in-process connection). */
  poolStats?: () => PoolStats;
  /** PGlite only: an image of the whole data directory, which `loadDataDir` opens as a copy. */
  dumpDataDir?: () => Promise<Blob>;
  close(): Promise<void>;
}

const BYTEA = 17;

/**
 * bytea as PGlite's text protocol spells it, `\x` and hex, in one native pass. PGlite's own
 * serializer and parser go through a JS array of one number or string per byte: for an archive of
 * ZIP_MAX_BYTES (20 MiB) that took 1.5 GB of heap for one upload (issue 15 §2). The parser above
 * answers a Buffer, as pg does.
 */
function byteaHex(value: unknown): string {
  if (!(value instanceof Uint8Array)) throw new TypeError('A bytea parameter must be a Buffer or a Uint8Array.');
  return `\\x${Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('hex')}`;
}

export function openDatabase(options: DatabaseOptions): DatabaseHandle {
  const plugins = [new CamelCasePlugin({ maintainNestedObjectKeys: true })];
  const log = options.onQuery ? (event: LogEvent) => options.onQuery?.(event) : undefined;
  if (options.url) {
    const max = options.poolMax ?? 10;
    const pool = new pg.Pool({
      connectionString: options.url,
      max,
      min: Math.min(options.poolMin ?? 0, max),
      ...(options.poolIdleMillis === undefined ? {} : { idleTimeoutMillis: options.poolIdleMillis }),
    });
    // pg-pool has already dropped such a connection and opens another when one is needed; the
    // event is news, not a failure. Without a listener, Node would end the process with it.
    pool.on('error', (error) => options.onIdleConnectionLost?.(error));
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: preparingPool(pool) }), plugins, ...(log ? { log } : {}) });
    const poolStats = (): PoolStats => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount });
    return { db, dialect: 'postgres', poolStats, close: () => db.destroy() };
  }
  const dataDir = options.dataDir ?? './data';
  const inMemory = dataDir.startsWith('memory://');
  let lock: DataDirLock | undefined;
  if (!inMemory) lock = lockDataDir(dataDir, options.holder ?? 'a Gatehouse process');
  const client = new PGlite(inMemory ? dataDir : path.join(dataDir, 'pglite'), {
    parsers: { 20: (value: string) => Number(value), [BYTEA]: (value: string) => Buffer.from(value.slice(2), 'hex') },
    serializers: { [BYTEA]: byteaHex },
    ...(options.loadDataDir ? { loadDataDir: options.loadDataDir } : {}),
  });
  const db = new Kysely<Database>({ dialect: new PGliteDialect(client), plugins, ...(log ? { log } : {}) });
  return {
    db,
    dialect: 'pglite',
    dumpDataDir: () => client.dumpDataDir('gzip'),
    close: async () => {
      await db.destroy();
      lock?.release();
    },
  };
}
