import { GraphQLError } from 'graphql';

/**
 * The error codes Gatehouse puts in `extensions.code`. They are part of the API: clients branch on
 * them, so a code is never renamed and a message always says what to do next.
 */
export enum ErrorCode {
  UNAUTHENTICATED = 'UNAUTHENTICATED',
  FORBIDDEN = 'FORBIDDEN',
  NOT_FOUND = 'NOT_FOUND',
  BAD_USER_INPUT = 'BAD_USER_INPUT',
  CONFLICT = 'CONFLICT',
  /** A system Gatehouse depends on (Kubernetes) failed; the message says whether to retry. */
  DEPENDENCY_FAILED = 'DEPENDENCY_FAILED',
  INTERNAL_SERVER_ERROR = 'INTERNAL_SERVER_ERROR',
}

/** Base of every error whose message is safe to show to the caller word for word. */
export abstract class GatehouseError extends GraphQLError {
  abstract readonly code: ErrorCode;

  constructor(message: string, code: ErrorCode, extensions: Record<string, unknown> = {}) {
    super(message, { extensions: { code, ...extensions } });
  }
}

export class UnauthenticatedError extends GatehouseError {
  readonly code = ErrorCode.UNAUTHENTICATED;
  constructor(message = 'Sign in: send "Authorization: Bearer <token>" with an API token or a JWT.') {
    // The status applies when authentication fails before execution (Apollo reads extensions.http).
    super(message, ErrorCode.UNAUTHENTICATED, { http: { status: 401 } });
  }
}

export class ForbiddenError extends GatehouseError {
  readonly code = ErrorCode.FORBIDDEN;
  constructor(message: string, extensions: Record<string, unknown> = {}) {
    super(message, ErrorCode.FORBIDDEN, extensions);
  }
}

/**
 * Used alike for ids that do not exist, ids of another organization and entities the principal may
 * not see (SPEC §1 "Cross-tenant"): the message never says which of the three it was.
 */
export class NotFoundError extends GatehouseError {
  readonly code = ErrorCode.NOT_FOUND;
  constructor(what: string, id: string | number) {
    super(`${what} ${JSON.stringify(String(id))} was not found.`, ErrorCode.NOT_FOUND);
  }
}

export class BadUserInputError extends GatehouseError {
  readonly code = ErrorCode.BAD_USER_INPUT;
  constructor(message: string, extensions: Record<string, unknown> = {}) {
    super(message, ErrorCode.BAD_USER_INPUT, extensions);
  }
}

export class ConflictError extends GatehouseError {
  readonly code = ErrorCode.CONFLICT;
  constructor(message: string, extensions: Record<string, unknown> = {}) {
    super(message, ErrorCode.CONFLICT, extensions);
  }
}

/**
 * An organization holds as many of something as it may (`extensions.limit`: the setting's name
 * and maximum); the message says how to make room.
 */
export function organizationLimitReached(what: string, setting: string, max: number, fix: string): ConflictError {
  return new ConflictError(`This organization has ${max} ${what}, the most allowed (${setting}). ${fix}`, { limit: { name: setting, max } });
}

export class DependencyFailedError extends GatehouseError {
  readonly code = ErrorCode.DEPENDENCY_FAILED;
  constructor(message: string) {
    super(message, ErrorCode.DEPENDENCY_FAILED);
  }
}

/** A message shown for everything that is not a GatehouseError; the cause goes to the log only. */
export const INTERNAL_ERROR_MESSAGE =
  'Internal server error. Nothing was changed by the failed part of this request; retry, or report the request id to the operator.';

export function isGatehouseError(error: unknown): error is GatehouseError {
  return error instanceof GatehouseError;
}

/** Exhaustiveness check for `switch` over unions (Apollo's UnreachableCaseError). */
export class UnreachableCaseError extends Error {
  constructor(value: never) {
    super(`Unreachable case: ${JSON.stringify(value)}`);
  }
}
