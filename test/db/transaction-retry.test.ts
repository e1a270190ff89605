import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { isRetryableTransactionError } from '../../src/db/errors.js';
import { inTransaction, TRANSACTION_ATTEMPTS } from '../../src/db/transaction.js';
import { ConflictError, ErrorCode } from '../../src/errors.js';
import { insertOrganization } from '../../src/modules/organizations/organizations.repository.js';

// Issue 14 §4: a transaction PostgreSQL aborts with a deadlock or a serialization failure is run
// again a few times, then answered with CONFLICT, never with an internal error.

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => database.close());

/** What pg and PGlite throw: an Error with the SQLSTATE in `code`. */
function pgError(code: string, message = 'deadlock detected'): Error {
  return Object.assign(new Error(message), { code });
}

let counter = 0;
const uniqueName = (prefix: string) => `${prefix}-${process.pid}-${++counter}`;

async function organizationsNamed(prefix: string): Promise<string[]> {
  const rows = await database.db.selectFrom('organizations').select('name').where('name', 'like', `${prefix}%`).orderBy('name').execute();
  return rows.map((row) => row.name);
}

describe('inTransaction retries deadlocks and serialization failures (issue 14 §4)', () => {
  it('recognises 40001 and 40P01, also wrapped, and nothing else', () => {
    expect(isRetryableTransactionError(pgError('40P01'))).toBe(true);
    expect(isRetryableTransactionError(pgError('40001'))).toBe(true);
    expect(isRetryableTransactionError(new Error('wrapped', { cause: pgError('40P01') }))).toBe(true);
    expect(isRetryableTransactionError(pgError('23505'))).toBe(false);
    expect(isRetryableTransactionError(new Error('plain'))).toBe(false);
    expect(isRetryableTransactionError(undefined)).toBe(false);
  });

  it('runs work that deadlocked twice a third time, in a new transaction each time', async () => {
    const prefix = uniqueName('retried');
    let attempts = 0;
    const result = await inTransaction(database.db, async (trx) => {
      attempts++;
      await insertOrganization(trx, `${prefix}-attempt-${attempts}`);
      if (attempts <= 2) throw pgError('40P01');
      return 'done';
    });
    expect(result).toBe('done');
    expect(attempts).toBe(3);
    // The first two attempts rolled back: only the third one's row is there.
    expect(await organizationsNamed(prefix)).toEqual([`${prefix}-attempt-3`]);
  });

  it('answers CONFLICT, saying what happened and what to do, once the attempts run out', async () => {
    const prefix = uniqueName('exhausted');
    let attempts = 0;
    const error = await inTransaction(database.db, async (trx) => {
      attempts++;
      await insertOrganization(trx, `${prefix}-attempt-${attempts}`);
      throw pgError('40P01');
    }).catch((e: unknown) => e);
    expect(attempts).toBe(TRANSACTION_ATTEMPTS);
    expect(error).toBeInstanceOf(ConflictError);
    const conflict = error as ConflictError;
    expect(conflict.extensions.code).toBe(ErrorCode.CONFLICT);
    expect(conflict.message).toContain('deadlock detected, SQLSTATE 40P01');
    expect(conflict.message).toContain('nothing was changed');
    expect(conflict.message).toContain('Retry the request');
    expect(await organizationsNamed(prefix)).toEqual([]);
  });

  it('names a serialization failure as such', async () => {
    const error = await inTransaction(database.db, async () => {
      throw pgError('40001', 'could not serialize access due to concurrent update');
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConflictError);
    expect((error as ConflictError).message).toContain('SQLSTATE 40001');
  });

  it('does not retry other errors', async () => {
    let attempts = 0;
    const unique = pgError('23505', 'duplicate key value violates unique constraint');
    await expect(
      inTransaction(database.db, async () => {
        attempts++;
        throw unique;
      }),
    ).rejects.toBe(unique);
    expect(attempts).toBe(1);
  });

  it("does not retry inside the caller's transaction: the outer one is aborted and retries", async () => {
    let inner = 0;
    let outer = 0;
    const result = await inTransaction(database.db, async (trx) => {
      outer++;
      const error = await inTransaction(trx, async () => {
        inner++;
        throw pgError('40P01');
      }).catch((e: unknown) => e);
      // The nested call hands the driver's error on as it came, for the outer call to retry.
      expect(error).not.toBeInstanceOf(ConflictError);
      expect(isRetryableTransactionError(error)).toBe(true);
      if (outer === 1) throw error;
      return 'outer retried';
    });
    expect(result).toBe('outer retried');
    expect(outer).toBe(2);
    expect(inner).toBe(2);
  });

  // A real deadlock needs two connections; PGlite has one, and runs transactions one at a time.
  it.skipIf(!process.env.TEST_DATABASE_URL)('gets two transactions that deadlock on PostgreSQL through', async () => {
    const [a, b] = await Promise.all([insertOrganization(database.db, uniqueName('lock-a')), insertOrganization(database.db, uniqueName('lock-b'))]);
    let firstLocks = 0;
    let bothHoldOne: () => void = () => {};
    const barrier = new Promise<void>((resolve) => (bothHoldOne = resolve));
    const lockBoth = (first: number, second: number) =>
      inTransaction(database.db, async (trx) => {
        await sql`select id from organizations where id = ${first} for update`.execute(trx);
        // The first attempts wait until each holds one row, so that they are sure to deadlock;
        // by the retry the barrier is open.
        if (++firstLocks === 2) bothHoldOne();
        await barrier;
        await sql`select id from organizations where id = ${second} for update`.execute(trx);
        return first;
      });
    expect(await Promise.all([lockBoth(a.id, b.id), lockBoth(b.id, a.id)])).toEqual([a.id, b.id]);
  });
});
