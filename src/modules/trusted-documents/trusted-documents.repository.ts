import type { Db, Executor } from '../../db/database.js';
import { inTransaction } from '../../db/transaction.js';
import type { NewTrustedDocument, TrustedDocumentRow } from './trusted-documents.table.js';

// Keeps one INSERT's parameters well under PostgreSQL's 65,535 (4 per row).
const INSERT_CHUNK = 1_000;

/** The registered text for this hash, if any. */
export async function findTrustedDocument(db: Executor, sha256: string): Promise<string | undefined> {
  const row = await db.selectFrom('trustedDocuments').select('document').where('sha256', '=', sha256).executeTakeFirst();
  return row?.document;
}

/**
 * Registers the documents in one transaction: all or none. A hash already registered is left as it
 * is (documents are immutable by hash); the result counts the rows this call added.
 */
export async function insertTrustedDocuments(db: Db, documents: readonly NewTrustedDocument[]): Promise<number> {
  return inTransaction(db, async (trx) => {
    let inserted = 0;
    for (let start = 0; start < documents.length; start += INSERT_CHUNK) {
      const rows = await trx
        .insertInto('trustedDocuments')
        .values(documents.slice(start, start + INSERT_CHUNK))
        .onConflict((oc) => oc.column('sha256').doNothing())
        .returning('sha256')
        .execute();
      inserted += rows.length;
    }
    return inserted;
  });
}

/** Every registered document, oldest first; only one client's with `clientName`. */
export async function listTrustedDocuments(db: Executor, clientName?: string): Promise<TrustedDocumentRow[]> {
  let query = db.selectFrom('trustedDocuments').selectAll();
  if (clientName !== undefined) query = query.where('clientName', '=', clientName);
  return query.orderBy('createdAt').orderBy('sha256').execute();
}
