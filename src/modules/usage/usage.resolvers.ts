import { BadUserInputError } from '../../errors.js';
import type { Resolvers, UsageBudgetInput } from '../../graphql/generated/resolvers-types.js';
import { boundedInt } from '../../graphql/validate.js';
import { mustLoad } from '../../graphql/by-id-loader.js';
import { automationUsage, dailyUsage, successRate } from './usage-dashboard.js';
import { defaultUsageBudget, findUsageBudget, upsertUsageBudget, type UsageBudgetPatch } from './usage.repository.js';

/**
 * Largest budget accepted: stored as int8 and read back as a JavaScript number (src/db/connect.ts),
 * so it stays below 2^53 (≈ 9.007e15) to survive the round trip exactly.
 */
const MAX_MONTHLY_TOKEN_BUDGET = 9e15;

/** Checks every given field before anything is written; absent fields stay unchanged, a null budget removes it. */
function budgetPatch(input: UsageBudgetInput): UsageBudgetPatch {
  const patch: UsageBudgetPatch = {};
  const budget = input.monthlyTokenBudget;
  if (budget !== undefined) {
    if (budget !== null && (!Number.isInteger(budget) || budget <= 0 || budget > MAX_MONTHLY_TOKEN_BUDGET)) {
      throw new BadUserInputError(`monthlyTokenBudget must be a positive whole number of tokens up to ${MAX_MONTHLY_TOKEN_BUDGET}, or null for no budget.`, {
        field: 'monthlyTokenBudget',
      });
    }
    patch.monthlyTokenBudget = budget;
  }
  // The field is nullable in the SDL only so that clients may omit it; null means "unchanged" too.
  if (input.alertThresholdPercent != null) {
    patch.alertThresholdPercent = boundedInt(input.alertThresholdPercent, 'alertThresholdPercent', 1, 100);
  }
  return patch;
}

export const usageResolvers: Resolvers = {
  Organization: {
    usage: async (org, _args, ctx) => (await findUsageBudget(ctx.db, org.id)) ?? defaultUsageBudget(org.id),
  },
  Usage: {
    automations: (usage, { since, until }, ctx) => automationUsage(ctx, usage.organizationId, since, until),
    days: (usage, { since, until }, ctx) => dailyUsage(ctx, usage.organizationId, since, until),
  },
  AutomationUsage: {
    automation: (row, _args, ctx) => mustLoad(ctx.loaders.automations, row.automationId, 'Automation'),
    successRate,
  },
  DailyUsage: {
    successRate,
  },
  Mutation: {
    updateUsageBudget: (_root, { organizationId, input }, ctx) => upsertUsageBudget(ctx.db, Number(organizationId), budgetPatch(input)),
  },
};
