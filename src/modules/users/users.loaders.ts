import type { Db } from '../../db/database.js';
import { byIdLoader } from '../../graphql/by-id-loader.js';
import { findUsersByIds } from './users.repository.js';

export function createUserLoaders(db: Db) {
  return { users: byIdLoader((ids: readonly string[]) => findUsersByIds(db, ids)) };
}
