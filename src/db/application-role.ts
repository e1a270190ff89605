import { sql, type Kysely } from 'kysely';
import type { Database } from './database.js';
import { MigrationError } from './migrate.js';

/**
 * What the gateway's own database role may do, when it is not the role that owns the schema
 * (MIGRATION_DATABASE_URL, README "Audit log"; issue 15 §5). It reads and writes every table, but
 * only inserts into and reads the audit log: it cannot update, delete or truncate an entry, nor
 * lift the append-only trigger, which only the owner may. The migration bookkeeping it only reads
 * (/readyz reports pending migrations).
 */
const APPEND_ONLY = ['audit_log'] as const;
const READ_ONLY = ['kysely_migration', 'kysely_migration_lock'] as const;

// First key of pg_advisory_xact_lock(int, int) for granting ('grnt'): replicas that start together
// each grant after migrating, and concurrent GRANTs on one table fail with "tuple concurrently updated".
const GRANT_LOCK = 0x67726e74;

interface Session {
  role: string;
  database: string;
}

async function session(db: Kysely<Database>): Promise<Session> {
  const result = await sql<Session>`select current_user as role, current_database() as database`.execute(db);
  const row = result.rows[0];
  if (!row) throw new MigrationError('The database did not answer select current_user.');
  return row;
}

/** Why `app` could change the audit log whatever is granted to it; null when it could not. */
async function ownerPowers(owner: Kysely<Database>, app: string): Promise<string | null> {
  const superuser = await sql<{ super: boolean }>`select rolsuper as super from pg_roles where rolname = ${app}`.execute(owner);
  if (superuser.rows[0]?.super) return `${app} is a superuser; create a role without SUPERUSER for DATABASE_URL`;
  // Owning the schema (as the database's owner does, through pg_database_owner) lets a role drop its
  // tables; owning a table, or belonging to a role that does, lets it alter or disable its triggers.
  const schema = await sql<{ schema: string; owns: boolean }>`select n.nspname as schema, pg_has_role(${app}, n.nspowner, 'MEMBER') as owns
    from pg_class c join pg_namespace n on n.oid = c.relnamespace where c.oid = 'audit_log'::regclass`.execute(owner);
  const where = schema.rows[0];
  if (!where) throw new MigrationError('The audit_log table is missing after migrating; run gatehouse migrate again and read its error.');
  if (where.owns) {
    return `${app} owns the schema ${where.schema} (or the database, whose owner owns public), and could drop its tables; make the migration role the database's owner (ALTER DATABASE … OWNER TO it) or give the schema to it`;
  }
  const owned = await sql<{ name: string; owner: string }>`select c.relname as name, pg_get_userbyid(c.relowner) as owner from pg_class c
    where c.relnamespace = (select relnamespace from pg_class where oid = 'audit_log'::regclass)
      and c.relkind in ('r', 'p', 'S', 'v', 'm') and pg_has_role(${app}, c.relowner, 'MEMBER') order by c.relname`.execute(owner);
  if (owned.rows.length > 0) {
    const names = owned.rows.map((r) => `${r.name} (owner ${r.owner})`).join(', ');
    return `${app} owns, or is a member of the owner of, ${names}; as a superuser run REASSIGN OWNED BY ${app} TO <the migration role> in this database (the tables were created when ${app} migrated) and revoke any membership`;
  }
  return null;
}

/**
 * After migrating as the owner: grants DATABASE_URL's role (`app`, connected) what the gateway
 * needs. Nothing to do when both URLs are one role (the embedded default, or MIGRATION_DATABASE_URL
 * unset or naming the same role). Idempotent: privileges are revoked and granted again in one
 * transaction, so tables added by the migrations just applied are covered and nothing granted by
 * hand on the audit log survives.
 */
export async function grantApplicationRole(owner: Kysely<Database>, app: Kysely<Database>): Promise<{ role: string } | null> {
  const [ownerSession, appSession] = await Promise.all([session(owner), session(app)]);
  if (ownerSession.database !== appSession.database) {
    throw new MigrationError(
      `MIGRATION_DATABASE_URL connects to database ${ownerSession.database} and DATABASE_URL to ${appSession.database}; point both at the database the gateway uses.`,
    );
  }
  if (ownerSession.role === appSession.role) return null;
  const role = appSession.role;
  const problem = await ownerPowers(owner, role);
  if (problem) throw new MigrationError(`The gateway's role could change or delete audit entries: ${problem}. Then run gatehouse migrate again.`);
  await owner.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(${GRANT_LOCK}, 0)`.execute(trx);
    const schema = sql.id((await sql<{ schema: string }>`select current_schema() as schema`.execute(trx)).rows[0]?.schema ?? 'public');
    const grantee = sql.id(role);
    const tables = (names: readonly string[]) => sql.join(names.map((name) => sql.id(name)));
    await sql`grant usage on schema ${schema} to ${grantee}`.execute(trx);
    await sql`revoke all on all tables in schema ${schema} from ${grantee}`.execute(trx);
    await sql`grant select, insert, update, delete on all tables in schema ${schema} to ${grantee}`.execute(trx);
    await sql`revoke update, delete on ${tables([...APPEND_ONLY, ...READ_ONLY])} from ${grantee}`.execute(trx);
    await sql`revoke insert on ${tables(READ_ONLY)} from ${grantee}`.execute(trx);
    await sql`revoke all on all sequences in schema ${schema} from ${grantee}`.execute(trx);
    await sql`grant usage, select on all sequences in schema ${schema} to ${grantee}`.execute(trx);
    // What was revoked here may still come from elsewhere (a grant to PUBLIC, or to a role it belongs to).
    const left = await sql<{ can: boolean }>`select has_table_privilege(${role}, 'audit_log', 'UPDATE, DELETE, TRUNCATE, TRIGGER') as can`.execute(trx);
    if (left.rows[0]?.can) {
      throw new MigrationError(
        `${role} may still update, delete or truncate audit_log through PUBLIC or a role it belongs to; revoke that grant (\\dp audit_log in psql shows it) and run gatehouse migrate again.`,
      );
    }
  });
  return { role };
}
