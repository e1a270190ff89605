import { extendAutomationPages } from '../automations/automation-page-columns.js';
import type { GatehouseModule } from '../module.js';
import { cardRunCounts } from './card-run-counts.js';
import { executionsResolvers } from './executions.resolvers.js';
import { executionsAuthorization } from './executions.rules.js';

// The cards' run counts come with the page of automations, not in a statement of their own.
extendAutomationPages(cardRunCounts);

export const executionsModule: GatehouseModule = { name: 'executions', resolvers: executionsResolvers, authorization: executionsAuthorization };
