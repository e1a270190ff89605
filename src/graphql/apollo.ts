import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import type { KeyValueCache } from '@apollo/utils.keyvaluecache';
import type { DocumentNode, GraphQLSchema } from 'graphql';
import type { Config } from '../config.js';
import type { Metrics } from '../observability/metrics.js';
import type { GraphQLContext } from './context.js';
import { createFormatError, isPublicError } from './format-error.js';
import { noIntrospectionRule } from './introspection.rule.js';
import { formatLimitErrors, limitPlugins, limitValidationRules, type HeavyOperations } from './limits/index.js';
import { storableInputPlugin } from './storable-input.plugin.js';

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

export function createApollo(
  schema: GraphQLSchema,
  config: Config,
  metrics: Metrics,
  documentStore?: KeyValueCache<DocumentNode> | null,
  heavy?: HeavyOperations<GraphQLContext>,
): ApolloServer<GraphQLContext> {
  const development = config.nodeEnv === 'development';
  const { limits } = config;
  return new ApolloServer<GraphQLContext>({
    schema,
    // Shared by the servers of every permission set, bounded (src/authz/visible-schema).
    ...(documentStore !== undefined ? { documentStore } : {}),
    formatError: formatLimitErrors(createFormatError(development), { production: config.nodeEnv === 'production', maxTokens: limits.maxTokens }),
    includeStacktraceInErrorResponses: development,
    // Production: no "Did you mean …?" in validation errors (Apollo's DisableSuggestions plugin);
    // formatLimitErrors strips the ones of variable coercion too.
    hideSchemaDetailsFromClientErrors: config.nodeEnv === 'production',
    // The limits (README "Limits", src/graphql/limits): depth, aliases and directives as
    // validation rules, tokens in the parser, cost and the timeout as plugins.
    validationRules: [...limitValidationRules(limits), ...(config.introspection === 'off' ? [noIntrospectionRule] : [])],
    // Apollo turns introspection off when NODE_ENV=production; the gateway decides instead
    // (INTROSPECTION): every caller who gets this far has a token, and each permission set's
    // schema shows only what that set can reach (src/authz/visible-schema).
    introspection: true,
    parseOptions: { maxTokens: limits.maxTokens },
    // Apollo's default landing page loads Apollo Sandbox from a CDN; the gateway serves no page
    // that reaches outside it.
    // storableInputPlugin: unstorable text and malformed cursors are BAD_USER_INPUT before anything runs.
    // Apollo installs its cache-control plugin unless told not to: it wraps every field's
    // resolution to gather hints that neither the schema nor the code gives (about a tenth of
    // execution, issue 16).
    plugins: [
      ApolloServerPluginLandingPageDisabled(),
      ApolloServerPluginCacheControlDisabled(),
      errorPlugin,
      metrics.plugin<GraphQLContext>(),
      storableInputPlugin<GraphQLContext>(),
      ...limitPlugins<GraphQLContext>(limits, heavy),
    ],
    // Trusted documents (README): in `enforce` mode the gateway swaps registered hashes for their
    // documents itself, and a client must not be able to register one through APQ.
    persistedQueries: config.trustedDocuments === 'enforce' ? false : {},
    // One operation per request: a batch would multiply every limit above by its length. The
    // gateway answers an array body with BATCHING_DISABLED before Apollo sees it.
    allowBatchedHttpRequests: false,
    // A GET (or a form-encoded POST) runs only when it carries a header that a browser would have
    // to preflight: Apollo's two defaults, or `Authorization`, which is not CORS-safelisted either.
    // So a persisted query sent by GET with its token (urql's persistedExchange, a CDN-friendly
    // client) needs no extra header, and a cross-site form or <img> still runs nothing.
    csrfPrevention: { requestHeaders: ['x-apollo-operation-name', 'apollo-require-preflight', 'authorization'] },
    // The process owns shutdown (src/main.ts): Apollo's own signal handler would stop the server
    // under it and re-raise the signal.
    stopOnTerminationSignals: false,
  });
}
