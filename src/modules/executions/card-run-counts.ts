import { sql } from 'kysely';
import { selectedAt } from '../../graphql/selection.js';
import { pageColumnOf, type AutomationPageColumn } from '../automations/automation-page-columns.js';

const RUN_COUNT = 'executionRunCount';

/**
 * The automations screen's cards each ask how many times their automation ran
 * (`executions { totalCount }`): read from execution_counts with the page of automations, in its
 * statement, when the page's nodes select `executions` (src/modules/automations/automation-page-columns.ts).
 * Null for an automation that never ran (no counters yet).
 */
export const cardRunCounts: AutomationPageColumn = {
  name: RUN_COUNT,
  wanted: (info) => {
    const node = selectedAt(info, ['edges', 'node']);
    return node === 'all' || node.has('executions');
  },
  column: sql<number | null>`(select (c.queued + c.running + c.succeeded + c.failed)::integer from execution_counts c
    where c.organization_id = automations.organization_id and c.automation_id = automations.id)`,
};

/** The run count the page read with this automation; undefined when it was not read with it. */
export function cardRunCount(automation: object): number | undefined {
  const value = pageColumnOf(automation, RUN_COUNT);
  if (value === null) return 0;
  return typeof value === 'number' ? value : undefined;
}
