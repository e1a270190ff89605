import type { GraphQLFormattedError } from 'graphql';
import { LimitCode, limitErrorIn } from './limit-error.js';

type FormatError = (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError;

// graphql-js's parser message when `maxTokens` is passed (16.x spells it "more that").
const TOO_MANY_TOKENS = /Document contains more th(?:an|at) \d+ tokens/;
// graphql-js's suggestions ("Did you mean "name"?", "Did you mean the enum value "READ"?"):
// everything between them and the question mark is a list of quoted GraphQL names.
const SUGGESTION = /\s*Did you mean [^?]*\?/g;

/** A message without graphql-js's "Did you mean …?" suggestions. */
export function withoutSuggestions(message: string): string {
  return message.replace(SUGGESTION, '');
}

/**
 * Wraps the gateway's formatError for the limits:
 * - a limit's refusal keeps its code (Apollo reports a validation rule's error as
 *   GRAPHQL_VALIDATION_FAILED) and its message, also in production;
 * - the parser's `maxTokens` refusal becomes TOO_MANY_TOKENS with the limit;
 * - in production, no message suggests names ("Did you mean …?"), so that probing the schema
 *   by typos reveals nothing. graphql-js 16 has no switch for them.
 */
export function formatLimitErrors(base: FormatError, options: { production: boolean; maxTokens: number }): FormatError {
  const finish = (formatted: GraphQLFormattedError): GraphQLFormattedError =>
    options.production ? { ...formatted, message: withoutSuggestions(formatted.message) } : formatted;

  return (formatted, error) => {
    const limit = limitErrorIn(error);
    if (limit) {
      return finish({ ...formatted, message: limit.message, extensions: { ...formatted.extensions, code: limit.code, limit: limit.limit } });
    }
    if (formatted.extensions?.code === 'GRAPHQL_PARSE_FAILED' && TOO_MANY_TOKENS.test(formatted.message)) {
      return finish({
        ...formatted,
        message: `The document has more than ${options.maxTokens} tokens; the limit is ${options.maxTokens}. Send a smaller document.`,
        extensions: { ...formatted.extensions, code: LimitCode.TOO_MANY_TOKENS, limit: { name: 'tokens', max: options.maxTokens } },
      });
    }
    return finish(base(formatted, error));
  };
}
