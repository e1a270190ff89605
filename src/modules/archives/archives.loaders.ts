import type { Db } from '../../db/database.js';
import { byIdLoader } from '../../graphql/by-id-loader.js';
import { findArchivesByIds } from './archives.repository.js';

/** Archives have no GraphQL type; deployments load them by id to read their source. */
export function createArchiveLoaders(db: Db) {
  return { archives: byIdLoader((ids: readonly string[]) => findArchivesByIds(db, ids)) };
}
