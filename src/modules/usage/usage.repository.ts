import type { Executor } from '../../db/database.js';
import type { UsageBudgetRow } from './usage.table.js';

export type UsageBudget = Pick<UsageBudgetRow, 'organizationId' | 'monthlyTokenBudget' | 'alertThresholdPercent'>;

/** What an organization that never set a budget has: no budget, alerts at the column default. */
export function defaultUsageBudget(organizationId: number): UsageBudget {
  return { organizationId, monthlyTokenBudget: null, alertThresholdPercent: 80 };
}

export async function findUsageBudget(db: Executor, organizationId: number): Promise<UsageBudget | undefined> {
  return db
    .selectFrom('usageBudgets')
    .select(['organizationId', 'monthlyTokenBudget', 'alertThresholdPercent'])
    .where('organizationId', '=', organizationId)
    .executeTakeFirst();
}

/** Fields to change; an absent field keeps its stored (or default) value. */
export interface UsageBudgetPatch {
  monthlyTokenBudget?: number | null;
  alertThresholdPercent?: number;
}

/**
 * Insert-or-update in one statement, so two first-time updates racing on the primary key both
 * succeed (the second updates the first's row) instead of one failing.
 */
export async function upsertUsageBudget(db: Executor, organizationId: number, patch: UsageBudgetPatch): Promise<UsageBudget> {
  return db
    .insertInto('usageBudgets')
    .values({ organizationId, ...patch })
    .onConflict((oc) => oc.column('organizationId').doUpdateSet({ ...patch, updatedAt: new Date() }))
    .returning(['organizationId', 'monthlyTokenBudget', 'alertThresholdPercent'])
    .executeTakeFirstOrThrow();
}
