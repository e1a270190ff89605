import { Transaction } from 'kysely';
import { ConflictError } from '../errors.js';
import type { Database, Executor } from './database.js';
import { retryableTransactionCode, type RetryableTransactionCode } from './errors.js';

/** Attempts in all, the first included: enough to get past a burst, short enough to answer fast. */
export const TRANSACTION_ATTEMPTS = 4;
/** The first pause before a retry is drawn from this range; each further pause doubles it. */
const FIRST_BACKOFF_MS = { min: 5, max: 25 };

const WHAT_HAPPENED: Record<RetryableTransactionCode, string> = {
  '40001': 'PostgreSQL could not serialize the two, SQLSTATE 40001',
  '40P01': 'PostgreSQL deadlock detected, SQLSTATE 40P01',
};

/** The answer once the retries ran out: a CONFLICT the caller can retry, never an internal error. */
export function retriesExhausted(code: RetryableTransactionCode, attempts = TRANSACTION_ATTEMPTS): ConflictError {
  return new ConflictError(
    `Another change to the same records ran at the same time (${WHAT_HAPPENED[code]}), and ${attempts} attempts did not get through; nothing was changed. Retry the request.`,
  );
}

function backoff(retry: number): Promise<void> {
  // Jittered, so that transactions that collided once do not wake up together and collide again.
  const ms = (FIRST_BACKOFF_MS.min + Math.random() * (FIRST_BACKOFF_MS.max - FIRST_BACKOFF_MS.min)) * 2 ** (retry - 1);
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Runs `work` in a transaction, or in the caller's when there is one already: a mutation whose
 * audit entry is written in its own transaction (src/modules/audit) runs the modules' transactional
 * steps inside it, so the change and its entry commit or roll back together.
 *
 * A transaction of its own that PostgreSQL aborts with a serialization failure or a deadlock is
 * run again, up to TRANSACTION_ATTEMPTS times in all, and then answered with a ConflictError. So
 * `work` may run more than once: whatever it does outside the database (collecting into an outer
 * array, HTTP, Kubernetes) must be safe to repeat or be deferred until after the commit. Inside
 * the caller's transaction nothing is retried here: the error aborted that whole transaction, and
 * only the one who opened it can run it again.
 */
export async function inTransaction<T>(db: Executor, work: (trx: Transaction<Database>) => Promise<T>): Promise<T> {
  if (db instanceof Transaction) return work(db);
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.transaction().execute(work);
    } catch (error) {
      const code = retryableTransactionCode(error);
      if (!code) throw error;
      if (attempt >= TRANSACTION_ATTEMPTS) throw retriesExhausted(code);
      await backoff(attempt);
    }
  }
}
