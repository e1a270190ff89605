import { Transaction } from 'kysely';
import type { Database, Executor } from './database.js';

/**
 * Runs `work` in a transaction, or in the caller's when there is one already: a mutation whose
 * audit entry is written in its own transaction (src/modules/audit) runs the modules' transactional
 * steps inside it, so the change and its entry commit or roll back together.
 */
export function inTransaction<T>(db: Executor, work: (trx: Transaction<Database>) => Promise<T>): Promise<T> {
  return db instanceof Transaction ? work(db) : db.transaction().execute(work);
}
