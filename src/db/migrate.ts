import { Migrator, type Kysely, type MigrationResultSet, type MigrationProvider, type Migration } from 'kysely';
import { migrations } from '../../migrations/index.js';
import type { Database } from './database.js';

const provider: MigrationProvider = {
  getMigrations: async (): Promise<Record<string, Migration>> => migrations,
};

function migrator(db: Kysely<Database>): Migrator {
  // Migrations name tables and columns as they are in SQL (snake_case): run them without the
  // CamelCasePlugin the application uses.
  return new Migrator({ db: db.withoutPlugins(), provider });
}

export class MigrationError extends Error {}

/** Applies every pending migration; the Migrator takes a database lock, so replicas may race. */
export async function migrateToLatest(db: Kysely<Database>): Promise<string[]> {
  const result: MigrationResultSet = await migrator(db).migrateToLatest();
  if (result.error) {
    const failed = result.results?.find((r) => r.status === 'Error');
    throw new MigrationError(`Migration ${failed?.migrationName ?? '(unknown)'} failed and was rolled back: ${String(result.error)}`);
  }
  return (result.results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/** Names of migrations the code knows but the database has not applied yet. */
export async function pendingMigrations(db: Kysely<Database>): Promise<string[]> {
  const all = await migrator(db).getMigrations();
  return all.filter((m) => m.executedAt === undefined).map((m) => m.name);
}
