import { performance } from 'node:perf_hooks';
import type { ApolloServerPlugin, BaseContext, GraphQLRequestContextWillSendResponse } from '@apollo/server';
import { getOperationAST, type OperationDefinitionNode } from 'graphql';
import type { Histogram } from 'prom-client';
import type { OperationLabels } from './operation-label.js';

export type RequestLabel = 'operation' | 'type' | 'outcome';

/**
 * The operation Apollo resolved, or, when validation failed before Apollo resolved one, the one
 * the document would have run: a query with a mistyped field is still counted under its name.
 */
function operationOf<TContext extends BaseContext>(ctx: GraphQLRequestContextWillSendResponse<TContext>): OperationDefinitionNode | null {
  if (ctx.operation) return ctx.operation;
  if (!ctx.document) return null;
  return getOperationAST(ctx.document, ctx.request.operationName ?? undefined) ?? null;
}

function hadErrors<TContext extends BaseContext>(ctx: GraphQLRequestContextWillSendResponse<TContext>): boolean {
  if ((ctx.errors?.length ?? 0) > 0) return true;
  const { body } = ctx.response;
  const result = body.kind === 'single' ? body.singleResult : body.initialResult;
  return (result.errors?.length ?? 0) > 0;
}

/**
 * Times every GraphQL request from requestDidStart to willSendResponse. The gateway runs one
 * Apollo Server per permission set and gives each this plugin; all of them observe the same
 * histogram, and the plugin keeps no state beyond the request it is timing.
 */
export function requestDurationPlugin<TContext extends BaseContext>(
  histogram: Histogram<RequestLabel>,
  operations: OperationLabels,
): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart() {
      const started = performance.now();
      return {
        async willSendResponse(ctx) {
          const operation = operationOf(ctx);
          const labels = {
            operation: operations.label(operation ? { name: operation.name?.value } : null),
            type: operation?.operation ?? 'unknown',
            outcome: hadErrors(ctx) ? 'error' : 'ok',
          };
          histogram.observe(labels, (performance.now() - started) / 1000);
        },
      };
    },
  };
}
