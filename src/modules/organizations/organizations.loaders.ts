import type { Db } from '../../db/database.js';
import { byIdLoader } from '../../graphql/by-id-loader.js';
import { findOrganizationsByIds } from './organizations.repository.js';

export function createOrganizationLoaders(db: Db) {
  return { organizations: byIdLoader((ids: readonly number[]) => findOrganizationsByIds(db, ids)) };
}
