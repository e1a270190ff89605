import type { Db } from '../../db/database.js';
import { byIdLoader } from '../../graphql/by-id-loader.js';
import { findAgentsByIds } from './agents.repository.js';

export function createAgentLoaders(db: Db) {
  return { agents: byIdLoader((ids: readonly string[]) => findAgentsByIds(db, ids)) };
}
