import type { Db } from '../../db/database.js';
import { byIdLoader } from '../../graphql/by-id-loader.js';
import { findHitlRequestsByIds } from './hitl.repository.js';

export function createHitlLoaders(db: Db) {
  return { hitlRequests: byIdLoader((ids: readonly string[]) => findHitlRequestsByIds(db, ids)) };
}
