import { unwrapResolverError } from '@apollo/server/errors';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { retryableTransactionCode } from '../db/errors.js';
import { ErrorCode, INTERNAL_ERROR_MESSAGE, isGatehouseError } from '../errors.js';
import { limitErrorIn } from './limits/limit-error.js';

// Codes of errors whose message is written for the caller: Gatehouse's own, and the request
// errors of graphql-js and Apollo (syntax, validation, variable coercion).
const PUBLIC_CODES = new Set<string>([
  ErrorCode.UNAUTHENTICATED,
  ErrorCode.FORBIDDEN,
  ErrorCode.NOT_FOUND,
  ErrorCode.BAD_USER_INPUT,
  ErrorCode.CONFLICT,
  ErrorCode.DEPENDENCY_FAILED,
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_REQUEST',
  'OPERATION_RESOLUTION_FAILURE',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
]);

/**
 * Apollo returns a resolver's own error message word for word; everything that is not a
 * deliberate, public error becomes a generic INTERNAL_SERVER_ERROR here (the cause is logged by
 * the error-logging plugin with the request id).
 */
export function isPublicError(error: unknown): boolean {
  const cause = unwrapResolverError(error);
  if (isGatehouseError(cause)) return true;
  // The limits' refusals (QUERY_TOO_COMPLEX, OPERATION_TIMEOUT …) are meant, with their own codes.
  if (limitErrorIn(cause)) return true;
  if (apolloRefusal(cause)) return true;
  if (!(cause instanceof GraphQLError)) return false;
  const code = cause.extensions.code;
  return typeof code === 'string' && PUBLIC_CODES.has(code) && !(cause.originalError && !(cause.originalError instanceof GraphQLError));
}

export function createFormatError(development: boolean) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    // A statement outside inTransaction (which retries these) lost a deadlock or a serialization
    // check: nothing it did stays, and the same request again can succeed.
    const collided = retryableTransactionCode(unwrapResolverError(error));
    if (collided) return conflict(formatted, collided);
    const refusal = apolloRefusal(error);
    if (refusal) return { ...formatted, message: refusal.message, extensions: { ...formatted.extensions, code: refusal.code } };
    return development || isPublicError(error) ? formatted : masked(formatted);
  };
}

/**
 * Apollo refuses a malformed persisted query with an error that has no code, which would be
 * answered (and logged) as an internal error although Apollo already chose HTTP 400. Keyed by
 * Apollo's message, the only thing that tells them apart (test/errors/refusals.test.ts pins it);
 * the answer is BAD_REQUEST, as TRUSTED_DOCUMENTS=enforce answers the same requests.
 */
const APOLLO_REFUSALS: ReadonlyMap<string, string> = new Map([
  [
    'provided sha does not match query',
    'extensions.persistedQuery.sha256Hash is not the SHA-256 of `query`: send the hex SHA-256 of exactly the query text, or the hash alone.',
  ],
  ['Unsupported persisted query version', '`extensions.persistedQuery.version` must be 1, the only version of Apollo persisted queries.'],
]);

function apolloRefusal(error: unknown): { code: string; message: string } | undefined {
  if (!(error instanceof GraphQLError) || error.extensions.code !== undefined || error.originalError) return undefined;
  const message = APOLLO_REFUSALS.get(error.message);
  return message === undefined ? undefined : { code: 'BAD_REQUEST', message };
}

function conflict(formatted: GraphQLFormattedError, code: string): GraphQLFormattedError {
  return {
    message: `Another change to the same records ran at the same time (PostgreSQL SQLSTATE ${code}); this one was rolled back. Retry the request.`,
    ...(formatted.locations ? { locations: formatted.locations } : {}),
    ...(formatted.path ? { path: formatted.path } : {}),
    extensions: { code: ErrorCode.CONFLICT },
  };
}

function masked(formatted: GraphQLFormattedError): GraphQLFormattedError {
  return {
    message: INTERNAL_ERROR_MESSAGE,
    ...(formatted.locations ? { locations: formatted.locations } : {}),
    ...(formatted.path ? { path: formatted.path } : {}),
    extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR },
  };
}
