import type { Logger } from 'pino';
import type { Config } from './config.js';
import { loadSecretKey, SecretBox } from './crypto/secret-box.js';
import { openDatabase, type DatabaseHandle } from './db/connect.js';
import { migrateDatabase } from './db/migrate-database.js';

export interface Runtime {
  database: DatabaseHandle;
  secrets: SecretBox;
}

/**
 * Opens the database (PostgreSQL with DATABASE_URL, otherwise the locked PGlite directory),
 * applies pending migrations (as MIGRATION_DATABASE_URL's role when set) and loads the secret
 * key: what the server and the CLI both need.
 */
export async function openRuntime(config: Config, logger: Logger, holder: string): Promise<Runtime> {
  const database = openDatabase({
    url: config.databaseUrl,
    dataDir: config.dataDir,
    poolMax: config.databasePoolMax,
    poolMin: config.databasePoolMin,
    holder,
    onIdleConnectionLost: (error) =>
      logger.warn({ err: error.message }, 'database: the server ended an idle connection (a restart or failover?); the pool opens another when one is needed'),
  });
  try {
    // As the owner when MIGRATION_DATABASE_URL is set: the gateway's own role cannot alter tables.
    const applied = await migrateDatabase(database, config.migrationDatabaseUrl);
    if (applied.length > 0) logger.info({ migrations: applied }, 'migrations applied');
    if (!config.secretKey && config.databaseUrl) {
      logger.warn(`GATEHOUSE_SECRET_KEY is not set: secrets are encrypted with a key kept in ${config.dataDir}; every replica must share one key.`);
    }
    return { database, secrets: new SecretBox(loadSecretKey(config.secretKey, config.dataDir)) };
  } catch (error) {
    await database.close();
    throw error;
  }
}
