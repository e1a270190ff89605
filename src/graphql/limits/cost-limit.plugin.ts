import type { ApolloServerPlugin } from '@apollo/server';
import type { HeavyOperationGate } from './heavy-operations.js';
import { LimitCode, LimitError } from './limit-error.js';
import { fragmentsOf, operationCost } from './operation-cost.js';

/** Heavy operations wait for a turn at a gate shared by every server of the process. */
export interface HeavyOperations<TContext> {
  gate: HeavyOperationGate;
  /** An operation of this cost or more is heavy. */
  cost: number;
  /** Whose turn it is: the principal (not the token: one user's tokens share theirs). */
  keyOf(context: TContext): string;
  /** The request's deadline (epoch ms), past which a waiting operation gives up. */
  deadlineOf(context: TContext): number | undefined;
}

/**
 * Refuses an operation whose cost (src/graphql/limits/operation-cost.ts) passes `maxCost`, with
 * QUERY_TOO_COMPLEX and HTTP 400, before anything executes. A plugin rather than a validation
 * rule: the cost depends on the request's variables (`first: $n`), which validation never sees.
 * A heavy one then waits for its turn (src/graphql/limits/heavy-operations.ts), held until its
 * response is sent.
 */
export function costLimitPlugin<TContext extends object>(maxCost: number, heavy?: HeavyOperations<TContext>): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart() {
      let release: (() => void) | undefined;
      return {
        async didResolveOperation({ schema, document, operation, request, contextValue }) {
          if (!operation) return;
          const cost = operationCost(schema, operation, fragmentsOf(document), request.variables ?? {});
          if (cost > maxCost) {
            throw new LimitError(
              LimitCode.QUERY_TOO_COMPLEX,
              { name: 'cost', max: maxCost, actual: cost },
              `The operation costs ${cost}; the limit is ${maxCost}. Each object costs 1 and large values their @cost in the schema, and a list multiplies what it selects by its size (first, or the @listSize the schema declares): ask for smaller pages, fewer nested lists or fewer large fields.`,
            );
          }
          if (heavy && cost >= heavy.cost) {
            release = await heavy.gate.acquire(heavy.keyOf(contextValue), heavy.deadlineOf(contextValue) ?? Date.now() + 30_000);
          }
        },
        async willSendResponse() {
          release?.();
        },
      };
    },
  };
}
