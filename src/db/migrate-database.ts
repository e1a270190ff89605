import { grantApplicationRole } from './application-role.js';
import { openDatabase, type DatabaseHandle } from './connect.js';
import { migrateToLatest, MigrationError, pendingMigrations } from './migrate.js';

/**
 * Applies pending migrations for `app`, the gateway's own connection: through it when one role
 * does both (the embedded PGlite, or MIGRATION_DATABASE_URL unset), else as the owner through
 * `migrationUrl`, after which the gateway's role gets its grants (src/db/application-role.ts).
 * What `gatehouse migrate` and every start run. Returns the names of the migrations applied.
 */
export async function migrateDatabase(app: DatabaseHandle, migrationUrl: string | undefined): Promise<string[]> {
  if (!migrationUrl) return migrateAsIs(app);
  const owner = openDatabase({ url: migrationUrl, poolMax: 1 });
  try {
    const applied = await migrateToLatest(owner.db);
    // Every time, not only when something was applied: a role that changed, or a grant made by
    // hand since, is put right at the next start.
    await grantApplicationRole(owner.db, app.db);
    return applied;
  } finally {
    await owner.close();
  }
}

async function migrateAsIs(app: DatabaseHandle): Promise<string[]> {
  // Nothing pending, nothing to lock: so a gateway whose role may only use the tables starts
  // without MIGRATION_DATABASE_URL once `gatehouse migrate` has run as the owner elsewhere.
  const pending = await pendingMigrations(app.db);
  if (pending.length === 0) return [];
  try {
    return await migrateToLatest(app.db);
  } catch (error) {
    if (!(error instanceof MigrationError) || !/permission denied|must be owner/.test(error.message)) throw error;
    throw new MigrationError(
      `${error.message}. DATABASE_URL's role may not apply the ${pending.length} pending migration(s): run \`gatehouse migrate\` with MIGRATION_DATABASE_URL set to the role that owns the tables, or give the server MIGRATION_DATABASE_URL as well.`,
    );
  }
}
