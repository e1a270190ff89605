import type { ApolloServerPlugin } from '@apollo/server';
import type { ValidationRule } from 'graphql';
import type { LimitsConfig } from '../../config.js';
import { aliasLimitRule } from './alias-limit.rule.js';
import { costLimitPlugin, type HeavyOperations } from './cost-limit.plugin.js';
import { responseBudgetPlugin } from './response-budget.js';
import { depthLimitRule } from './depth-limit.rule.js';
import { directiveLimitRule } from './directive-limit.rule.js';
import { slicingArgumentsRule } from './slicing-arguments.rule.js';

export { formatLimitErrors } from './format-limit-errors.js';
export { LimitCode, LimitError, limitResponseBody } from './limit-error.js';
export { jsonBytes, largePage, largeRows, ResponseBudget, responseBudgetMiddleware, withResponseBudget } from './response-budget.js';
export { Semaphore } from './semaphore.js';
export { deadlineOf, mutationDeadlineMiddleware, operationTimeoutError, raceDeadline, withDeadline } from './operation-timeout.js';
export { HeavyOperationGate } from './heavy-operations.js';
export type { HeavyOperations } from './cost-limit.plugin.js';

/**
 * The validation rules of the limits, run by Apollo after graphql-js's specifiedRules; with them
 * the cost model's own rule, that a field requiring one slicing argument gets one.
 */
export function limitValidationRules(limits: LimitsConfig): ValidationRule[] {
  return [depthLimitRule(limits.maxDepth), aliasLimitRule(limits.maxAliases), directiveLimitRule(limits.maxDirectives), slicingArgumentsRule];
}

/**
 * The limit that needs the request's variables (cost), and the turns of heavy operations; the
 * timeout is src/http/gateway.ts's race plus mutationDeadlineMiddleware.
 */
export function limitPlugins<TContext extends object>(limits: LimitsConfig, heavy?: HeavyOperations<TContext>): ApolloServerPlugin<TContext>[] {
  return [costLimitPlugin<TContext>(limits.maxCost, heavy), responseBudgetPlugin<TContext>()];
}
