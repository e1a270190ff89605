import type { Db } from '../../db/database.js';
import { byIdLoader } from '../../graphql/by-id-loader.js';
import { findExecutionsByIds } from './executions.repository.js';

export function createExecutionLoaders(db: Db) {
  return { executions: byIdLoader((ids: readonly string[]) => findExecutionsByIds(db, ids)) };
}
