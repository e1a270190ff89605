import type { Db } from '../../db/database.js';
import { byIdLoader } from '../../graphql/by-id-loader.js';
import { findServiceAccountsByIds } from './service-accounts.repository.js';

export function createServiceAccountLoaders(db: Db) {
  return { serviceAccounts: byIdLoader((ids: readonly string[]) => findServiceAccountsByIds(db, ids)) };
}
