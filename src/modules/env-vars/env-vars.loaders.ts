import type { Db } from '../../db/database.js';
import { byIdLoader } from '../../graphql/by-id-loader.js';
import { findEnvVarsByIds } from './env-vars.repository.js';

export function createEnvVarLoaders(db: Db) {
  return { envVars: byIdLoader((ids: readonly string[]) => findEnvVarsByIds(db, ids)) };
}
