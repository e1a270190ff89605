import type { GatehouseModule } from '../module.js';
import { hitlResolvers } from './hitl.resolvers.js';
import { hitlAuthorization } from './hitl.rules.js';

/** Human-in-the-loop requests (issue 4): raised through src/ingest/hitl-requests.ts, answered here. */
export const hitlModule: GatehouseModule = { name: 'hitl', resolvers: hitlResolvers, authorization: hitlAuthorization };
