import type { Db } from '../../db/database.js';
import { byIdLoader } from '../../graphql/by-id-loader.js';
import { findExecutionsByIds } from './executions.repository.js';
import { findSpanSourcesByIds } from './spans.repository.js';

export function createExecutionLoaders(db: Db) {
  return {
    executions: byIdLoader((ids: readonly string[]) => findExecutionsByIds(db, ids)),
    /** The resource and scope of a page's spans: one query for the few sources a page names. */
    spanSources: byIdLoader((ids: readonly number[]) => findSpanSourcesByIds(db, ids)),
  };
}
