import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import type { GraphQLSchema } from 'graphql';
import type { Config } from '../config.js';
import type { GraphQLContext } from './context.js';
import { createFormatError, isPublicError } from './format-error.js';

/** Logs every masked error with its cause, and stamps the request id on every error sent. */
const errorPlugin: ApolloServerPlugin<GraphQLContext> = {
  async requestDidStart() {
    return {
      async didEncounterErrors({ contextValue, errors }) {
        for (const error of errors) {
          if (!isPublicError(error)) contextValue.logger.error({ err: error.originalError ?? error, path: error.path }, 'internal error');
        }
      },
      async willSendResponse({ contextValue, response }) {
        if (response.body.kind !== 'single') return;
        for (const error of response.body.singleResult.errors ?? []) {
          Object.assign(error, { extensions: { ...error.extensions, requestId: contextValue.requestId } });
        }
      },
    };
  },
};

export function createApollo(schema: GraphQLSchema, config: Config): ApolloServer<GraphQLContext> {
  const development = config.nodeEnv === 'development';
  return new ApolloServer<GraphQLContext>({
    schema,
    formatError: createFormatError(development),
    includeStacktraceInErrorResponses: development,
    // Apollo's default landing page loads Apollo Sandbox from a CDN; the gateway serves no page
    // that reaches outside it.
    plugins: [ApolloServerPluginLandingPageDisabled(), errorPlugin],
    csrfPrevention: true,
    // The process owns shutdown (src/main.ts): Apollo's own signal handler would stop the server
    // under it and re-raise the signal.
    stopOnTerminationSignals: false,
  });
}
