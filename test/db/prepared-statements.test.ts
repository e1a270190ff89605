import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorizeSubject, authorizeToken } from '../../src/authz/authorize-request.js';
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
