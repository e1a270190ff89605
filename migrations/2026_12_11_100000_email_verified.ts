import { sql, type Kysely } from 'kysely';

// Issue 15 §4: an email that no identity provider verified claims nothing.
// - email_verified: whether the address is proven. A sign-in records its identity provider's
//   `email_verified` (src/auth/authenticate.ts); users an operator names by email (`gatehouse org
//   create --owner-email`, placeholders waiting for their first sign-in) count as proven.
// - The unique index on lower(email) keeps to proven addresses. An unverified address is kept on
//   its user (shown, audited) but holds no slot: whoever signs in later with the same address,
//   verified, gets it as if the unverified user were not there, and the unverified user can never
//   take an invitation or an existing account with it. At most one user per address is verified.
// Users that signed in before this migration are marked unverified: their identity provider's
// answer was not recorded. Their next sign-in with email_verified true marks them verified again.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('users')
    .addColumn('email_verified', 'boolean', (c) => c.notNull().defaultTo(false))
    .execute();
  await sql`update users set email_verified = true where auth_subject is null`.execute(db);
  await sql`drop index users_email_key`.execute(db);
  await sql`create unique index users_email_key on users (lower(email)) where email_verified`.execute(db);
}

// Fails while two users share an address (one verified, others not): resolve those by hand first.
export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index users_email_key`.execute(db);
  await sql`create unique index users_email_key on users (lower(email))`.execute(db);
  await db.schema.alterTable('users').dropColumn('email_verified').execute();
}
