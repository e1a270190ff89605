import { HeaderMap } from '@apollo/server';
import { GraphQLError } from 'graphql';

/** The `extensions.code` of each limit; part of the API, like the codes of src/errors.ts. */
export const LimitCode = {
  QUERY_TOO_DEEP: 'QUERY_TOO_DEEP',
  TOO_MANY_ALIASES: 'TOO_MANY_ALIASES',
  TOO_MANY_DIRECTIVES: 'TOO_MANY_DIRECTIVES',
  TOO_MANY_TOKENS: 'TOO_MANY_TOKENS',
  QUERY_TOO_COMPLEX: 'QUERY_TOO_COMPLEX',
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  BATCHING_DISABLED: 'BATCHING_DISABLED',
  OPERATION_TIMEOUT: 'OPERATION_TIMEOUT',
  RATE_LIMITED: 'RATE_LIMITED',
  RESPONSE_TOO_LARGE: 'RESPONSE_TOO_LARGE',
  ARCHIVE_QUOTA_EXCEEDED: 'ARCHIVE_QUOTA_EXCEEDED',
  HEAVY_OPERATIONS_BUSY: 'HEAVY_OPERATIONS_BUSY',
} as const;
export type LimitCode = (typeof LimitCode)[keyof typeof LimitCode];

/** `extensions.limit`: which limit, its configured maximum, and the request's value when known. */
export interface LimitInfo {
  name:
    | 'depth'
    | 'aliases'
    | 'directives'
    | 'tokens'
    | 'cost'
    | 'bodyBytes'
    | 'batching'
    | 'operationTimeoutMs'
    | 'perToken'
    | 'perAddress'
    | 'spansPerDeployment'
    // New permission-set schemas per organization and minute (src/authz/visible-schema).
    | 'schemaBuildsPerOrganization'
    | 'responseBytes'
    // Heavy operations running at once per principal (src/graphql/limits/heavy-operations.ts).
    | 'heavyOperations'
    // The upload endpoint's (src/http/upload-limits.ts).
    | 'uploadsPerToken'
    | 'uploadsPerOrganization'
    | 'uploadsInProgressPerToken'
    | 'uploadsInProgressPerOrganization'
    | 'uploadsInProgress'
    | 'archiveBytesPerOrganization';
  max: number;
  actual?: number;
}

/**
 * A refusal by one of the limits: `extensions.code` names the limit, `extensions.limit` its value,
 * and `extensions.http.status` the HTTP status Apollo answers with.
 */
export class LimitError extends GraphQLError {
  constructor(
    readonly code: LimitCode,
    readonly limit: LimitInfo,
    message: string,
    status = 400,
    headers?: Record<string, string>,
    /** Given, graphql-js treats the error as located and passes it on unwrapped. */
    path?: ReadonlyArray<string | number>,
  ) {
    super(message, {
      extensions: { code, limit, http: { status, ...(headers ? { headers: new HeaderMap(Object.entries(headers)) } : {}) } },
      ...(path ? { path } : {}),
    });
  }
}

/**
 * The LimitError behind an error as Apollo reports it: validation rules' errors are wrapped in
 * Apollo's ValidationError (code GRAPHQL_VALIDATION_FAILED), so the chain of causes is searched.
 */
export function limitErrorIn(error: unknown): LimitError | undefined {
  let current: unknown = error;
  for (let hops = 0; hops < 5 && current; hops += 1) {
    if (current instanceof LimitError) return current;
    current = current instanceof GraphQLError || current instanceof Error ? ((current as GraphQLError).originalError ?? undefined) : undefined;
  }
  return undefined;
}

/** The JSON body of a refusal made before Apollo runs (body size, batching, timeout). */
export function limitResponseBody(error: LimitError, requestId: string): { errors: unknown[] } {
  return { errors: [{ message: error.message, extensions: { code: error.code, limit: error.limit, requestId } }] };
}
