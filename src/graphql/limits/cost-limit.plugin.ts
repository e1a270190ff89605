import type { ApolloServerPlugin } from '@apollo/server';
import { LimitCode, LimitError } from './limit-error.js';
import { fragmentsOf, operationCost } from './operation-cost.js';

/**
 * Refuses an operation whose cost (src/graphql/limits/operation-cost.ts) passes `maxCost`, with
 * QUERY_TOO_COMPLEX and HTTP 400, before anything executes. A plugin rather than a validation
 * rule: the cost depends on the request's variables (`first: $n`), which validation never sees.
 */
export function costLimitPlugin<TContext extends object>(maxCost: number): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ schema, document, operation, request }) {
          if (!operation) return;
          const cost = operationCost(schema, operation, fragmentsOf(document), request.variables ?? {});
          if (cost > maxCost) {
            throw new LimitError(
              LimitCode.QUERY_TOO_COMPLEX,
              { name: 'cost', max: maxCost, actual: cost },
              `The operation costs ${cost}; the limit is ${maxCost}. Each object costs 1 and large values their @cost in the schema, and a list multiplies what it selects by its size (first, or the @listSize the schema declares): ask for smaller pages, fewer nested lists or fewer large fields.`,
            );
          }
        },
      };
    },
  };
}
