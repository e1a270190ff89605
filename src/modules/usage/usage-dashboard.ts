import { BadUserInputError, NotFoundError } from '../../errors.js';
import type { GraphQLContext } from '../../graphql/context.js';
import type { AutomationUsageModel, DailyUsageModel } from '../../graphql/models.js';
import { automationScope } from '../automations/automation-access.js';
import type { UsageCounts } from '../executions/executions.table.js';
import { usageByAutomation, usageByDay, type UsageWindow } from '../executions/usage-stats.repository.js';

/** Longest window the dashboard sums over: a year, leap day included. */
export const MAX_WINDOW_DAYS = 366;
const DAY_MS = 86_400_000;

/** [since, until) with since before until and at most MAX_WINDOW_DAYS long; BAD_USER_INPUT otherwise. */
export function usageWindow(since: Date, until: Date): UsageWindow {
  if (until.getTime() <= since.getTime()) {
    throw new BadUserInputError('until must be after since: the window is [since, until).', { field: 'until' });
  }
  if (until.getTime() - since.getTime() > MAX_WINDOW_DAYS * DAY_MS) {
    throw new BadUserInputError(`The window may be at most ${MAX_WINDOW_DAYS} days long; ask for a longer period in parts.`, {
      field: 'until',
      maxDays: MAX_WINDOW_DAYS,
    });
  }
  return { since, until };
}

/** Of the finished executions, the share that succeeded; null while none has finished. */
export function successRate(counts: Pick<UsageCounts, 'succeeded' | 'failed'>): number | null {
  const finished = counts.succeeded + counts.failed;
  return finished === 0 ? null : counts.succeeded / finished;
}

async function scopeOf(ctx: GraphQLContext, organizationId: number) {
  const scope = await automationScope(ctx, organizationId);
  // Organization.usage already required membership; this only guards a future path to Usage.
  if (!scope) throw new NotFoundError('Organization', organizationId);
  return scope;
}

export async function automationUsage(ctx: GraphQLContext, organizationId: number, since: Date, until: Date): Promise<AutomationUsageModel[]> {
  return usageByAutomation(ctx.db, await scopeOf(ctx, organizationId), usageWindow(since, until));
}

const EMPTY: UsageCounts = { executions: 0, succeeded: 0, failed: 0, inputTokens: 0, outputTokens: 0 };

/** Every UTC day the window touches, in order, with zeros where nothing ran: a chart's x-axis. */
export async function dailyUsage(ctx: GraphQLContext, organizationId: number, since: Date, until: Date): Promise<DailyUsageModel[]> {
  const window = usageWindow(since, until);
  const rows = new Map((await usageByDay(ctx.db, await scopeOf(ctx, organizationId), window)).map((row) => [row.day, row]));
  const days: DailyUsageModel[] = [];
  const first = Math.floor(window.since.getTime() / DAY_MS);
  const last = Math.floor((window.until.getTime() - 1) / DAY_MS);
  for (let d = first; d <= last; d++) {
    const day = new Date(d * DAY_MS).toISOString().slice(0, 10);
    days.push(rows.get(day) ?? { day, ...EMPTY });
  }
  return days;
}
