import type { LogEvent } from 'kysely';
import crypto from 'node:crypto';
import fs from 'node:fs';
import pg from 'pg';
import { openDatabase, type DatabaseHandle } from '../../src/db/connect.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { PGLITE_IMAGE_ENV, templateName, urlFor } from './global-setup.js';

export interface TestDatabase extends DatabaseHandle {
  /** Connection string of this database (PostgreSQL only), for child processes. */
  url: string | undefined;
}

/**
 * A fresh, migrated database for one test file: a clone of the template on PostgreSQL, or an
 * in-memory PGlite opened from global setup's migrated image.
 */
export async function createTestDatabase(poolMax = 5, onQuery?: (event: LogEvent) => void): Promise<TestDatabase> {
  const admin = process.env.TEST_DATABASE_URL;
  if (!admin) {
    const image = process.env[PGLITE_IMAGE_ENV];
    const handle = openDatabase({
      dataDir: 'memory://',
      ...(image ? { loadDataDir: new Blob([fs.readFileSync(image)]) } : {}),
      ...(onQuery ? { onQuery } : {}),
    });
    // A no-op on the image (every migration is applied), and what makes the database without one.
    await migrateToLatest(handle.db);
    return { ...handle, url: undefined };
  }
  const name = `gatehouse_test_${crypto.randomBytes(6).toString('hex')}`;
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  await client.query(`create database ${name} template ${templateName(admin)}`);
  await client.end();
  const url = urlFor(admin, name);
  const handle = openDatabase({ url, poolMax, ...(onQuery ? { onQuery } : {}) });
  return {
    ...handle,
    url,
    close: async () => {
      await handle.close();
      const drop = new pg.Client({ connectionString: admin });
      await drop.connect();
      // pg's pool.end() resolves before its clients' sockets have closed; a forced drop would then
      // kill a backend whose client has no error listener left (an uncaught 57P01). Wait for them.
      for (let i = 0; i < 50; i++) {
        const { rows } = await drop.query<{ n: number }>('select count(*)::int as n from pg_stat_activity where datname = $1', [name]);
        if ((rows[0]?.n ?? 0) === 0) break;
        await new Promise((resolve) => setTimeout(resolve, 40));
      }
      await drop.query(`drop database if exists ${name} with (force)`);
      await drop.end();
    },
  };
}
