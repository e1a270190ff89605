import type { Db } from '../../db/database.js';
import { byIdLoader } from '../../graphql/by-id-loader.js';
import { findAutomationsByIds } from './automations.repository.js';

export function createAutomationLoaders(db: Db) {
  return { automations: byIdLoader((ids: readonly string[]) => findAutomationsByIds(db, ids)) };
}
