import type { Db } from '../../db/database.js';
import { byIdLoader } from '../../graphql/by-id-loader.js';
import { findTrainingRunsByIds } from './training-runs.repository.js';

export function createTrainingRunLoaders(db: Db) {
  return { trainingRuns: byIdLoader((ids: readonly string[]) => findTrainingRunsByIds(db, ids)) };
}
