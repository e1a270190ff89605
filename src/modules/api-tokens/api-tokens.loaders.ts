import type { Db } from '../../db/database.js';
import { byIdLoader } from '../../graphql/by-id-loader.js';
import { findApiTokensByIds } from './api-tokens.repository.js';

export function createApiTokenLoaders(db: Db) {
  return { apiTokens: byIdLoader((ids: readonly string[]) => findApiTokensByIds(db, ids)) };
}
