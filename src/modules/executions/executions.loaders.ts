import DataLoader from 'dataloader';
import type { Db } from '../../db/database.js';
import { byIdLoader } from '../../graphql/by-id-loader.js';
import { executionTotals, findExecutionsByIds } from './executions.repository.js';
import { findSpanSourcesByIds } from './spans.repository.js';

export function createExecutionLoaders(db: Db) {
  return {
    executions: byIdLoader((ids: readonly string[]) => findExecutionsByIds(db, ids)),
    /** The resource and scope of a page's spans: one query for the few sources a page names. */
    spanSources: byIdLoader((ids: readonly number[]) => findSpanSourcesByIds(db, ids)),
    /** Each automation's number of executions, for the cards of a page: one query for all of them. */
    executionTotals: new DataLoader<{ organizationId: number; automationId: string }, number, string>(
      async (keys) => {
        const totals = await executionTotals(db, keys);
        return keys.map((key) => totals.get(key.automationId) ?? 0);
      },
      { cacheKeyFn: (key) => key.automationId },
    ),
  };
}
