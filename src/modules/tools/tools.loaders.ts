import type { Db } from '../../db/database.js';
import { byIdLoader } from '../../graphql/by-id-loader.js';
import { findToolsByIds } from './tools.repository.js';

export function createToolLoaders(db: Db) {
  return { tools: byIdLoader((ids: readonly string[]) => findToolsByIds(db, ids)) };
}
