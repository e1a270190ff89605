import { sql, type Kysely } from 'kysely';

// Trusted documents (issue 6 §5): the operations a client registered with `gatehouse documents
// register`; with TRUSTED_DOCUMENTS=enforce only these run. The key is the SHA-256 of the exact
// text and the check ties the two together, so a row can never change its text: every replica
// caches found documents forever (src/modules/trusted-documents/document-cache.ts).
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('trusted_documents')
    .addColumn('sha256', 'text', (c) => c.primaryKey().check(sql`sha256 ~ '^[0-9a-f]{64}$'`))
    .addColumn('document', 'text', (c) => c.notNull())
    .addColumn('operation_name', 'text')
    .addColumn('client_name', 'text', (c) => c.check(sql`char_length(client_name) between 1 and 100`))
    .addColumn('created_at', 'timestamptz(3)', (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint('trusted_documents_sha256_of_document', sql`sha256 = encode(sha256(convert_to(document, 'UTF8')), 'hex')`)
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('trusted_documents').execute();
}
