import type { Db } from '../../db/database.js';
import { byIdLoader } from '../../graphql/by-id-loader.js';
import { findLlmConnectionsByIds } from './llm-connections.repository.js';

export function createLlmConnectionLoaders(db: Db) {
  return { llmConnections: byIdLoader((ids: readonly string[]) => findLlmConnectionsByIds(db, ids)) };
}
