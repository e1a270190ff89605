import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorizeSubject, authorizeToken } from '../../src/authz/authorize-request.js';
import { openDatabase, type DatabaseHandle } from '../../src/db/connect.js';
import { prepared } from '../../src/db/prepared-statements.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

// The authorization statements run on every request; on PostgreSQL they are prepared once per
// connection (src/db/prepared-statements.ts), so PostgreSQL does not plan them at every request.
// pg_prepared_statements lists the statements of the session that asks: a pool of one connection.
describe.skipIf(!process.env.TEST_DATABASE_URL)('statements prepared once per connection', () => {
  let database: TestDatabase;
  const preparedNow = async () =>
    (await sql<{ name: string }>`select name from pg_prepared_statements order by name`.execute(database.db)).rows.map((row) => row.name);

  beforeAll(async () => {
    database = await createTestDatabase(1);
  });
  afterAll(async () => database?.close());

  it('the authorization statements, under their names, once however often they run', async () => {
    expect(await preparedNow()).toEqual([]);
    for (let i = 0; i < 3; i++) {
      expect(await authorizeToken(database.db, Buffer.alloc(32, i))).toBeUndefined();
      expect(await authorizeSubject(database.db, `nobody-${i}`, 16)).toBeUndefined();
    }
    expect(await preparedNow()).toEqual(['gatehouse_authorize_subject', 'gatehouse_authorize_token']);
  });

  it("other statements, kysely's own, stay unnamed", async () => {
    await database.db.selectFrom('organizations').select('id').where('id', '=', 1).execute();
    expect(await preparedNow()).toEqual(['gatehouse_authorize_subject', 'gatehouse_authorize_token']);
  });

  it('a name stands for one text, and a text for one name', () => {
    expect(prepared('test_one', 'select 1')).toBe('select 1');
    expect(prepared('test_one', 'select 1')).toBe('select 1');
    expect(() => prepared('test_one', 'select 2')).toThrow('must have one name and one text');
    expect(() => prepared('test_other', 'select 1')).toThrow('must have one name and one text');
  });
});

// Prepared statements last as long as their connection: a pool that closed its connections after
// pg's 10 s idle timeout would make the first requests after every quiet spell reconnect and
// prepare again (p99 3× p50 in bench:load). The gateway's pool keeps DATABASE_POOL_MIN open.
describe.skipIf(!process.env.TEST_DATABASE_URL)('an idle pool keeps its minimum of connections, and with them their statements', () => {
  let database: TestDatabase;
  const pools: DatabaseHandle[] = [];

  beforeAll(async () => {
    database = await createTestDatabase(1);
  });
  afterAll(async () => {
    for (const pool of pools) await pool.close();
    await database?.close();
  });

  /** The backends of two statements run at once (so on two connections), each authorizing as a request does first. */
  const backends = async (handle: DatabaseHandle): Promise<number[]> => {
    const one = async () => {
      await authorizeToken(handle.db, Buffer.alloc(32, 7));
      return (await sql<{ pid: number }>`select pg_backend_pid() as pid, pg_sleep(0.2)`.execute(handle.db)).rows[0]?.pid ?? 0;
    };
    return (await Promise.all([one(), one()])).sort();
  };

  it('poolMin 2 keeps both connections past the idle timeout; poolMin 0 closes them', async () => {
    // An idle timeout of 200 ms stands for pg-pool's 10 s.
    const kept = openDatabase({ url: database.url, poolMax: 2, poolMin: 2, poolIdleMillis: 200 });
    const closed = openDatabase({ url: database.url, poolMax: 2, poolMin: 0, poolIdleMillis: 200 });
    pools.push(kept, closed);
    const before = { kept: await backends(kept), closed: await backends(closed) };
    expect(before.kept).toHaveLength(2);
    expect(new Set(before.kept).size).toBe(2);

    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(kept.poolStats?.().total).toBe(2);
    expect(closed.poolStats?.().total).toBe(0);
    // The same sessions: nothing reconnected, nothing prepared again.
    expect(await backends(kept)).toEqual(before.kept);
    expect(await backends(closed)).not.toEqual(before.closed);
  });

  it('a kept connection the server ends (a restart, pg_terminate_backend) is replaced, not fatal', async () => {
    const kept = openDatabase({ url: database.url, poolMax: 2, poolMin: 2 });
    pools.push(kept);
    const [first] = await backends(kept);
    await sql`select pg_terminate_backend(${first ?? 0})`.execute(database.db);
    // The pool hears of it on the idle connection's socket, drops it and opens a new one on demand.
    for (let i = 0; i < 50 && kept.poolStats?.().total === 2; i++) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(kept.poolStats?.().total).toBe(1);
    const after = await backends(kept);
    expect(after).toHaveLength(2);
    expect(after).not.toContain(first);
  });
});
