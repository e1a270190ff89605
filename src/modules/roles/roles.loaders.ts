import type { Db } from '../../db/database.js';
import { byIdLoader } from '../../graphql/by-id-loader.js';
import { findRolesByIds } from './roles.repository.js';

export function createRoleLoaders(db: Db) {
  return { roles: byIdLoader((ids: readonly string[]) => findRolesByIds(db, ids)) };
}
