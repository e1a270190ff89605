import { Migrator, NO_MIGRATIONS } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrations } from '../../migrations/index.js';
import { migrateToLatest, pendingMigrations } from '../../src/db/migrate.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => database.close());

describe('migrations', () => {
  it('go all the way down and up again', async () => {
    const migrator = new Migrator({ db: database.db.withoutPlugins(), provider: { getMigrations: async () => migrations } });
    const down = await migrator.migrateTo(NO_MIGRATIONS);
    expect(down.error).toBeUndefined();
    expect(await pendingMigrations(database.db)).toEqual(Object.keys(migrations));
    expect(await migrateToLatest(database.db)).toEqual(Object.keys(migrations));
    expect(await pendingMigrations(database.db)).toEqual([]);
  });
});
