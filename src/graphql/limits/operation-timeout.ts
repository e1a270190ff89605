import type { GraphQLSchema } from 'graphql';
import type { IMiddlewareFieldMap } from 'graphql-middleware';
import { contextSlot } from './context-slot.js';
import { LimitCode, LimitError } from './limit-error.js';

// HTTP 504: the gateway stopped waiting for its own execution. Not 408, which clients and proxies
// may retry on their own, repeating a mutation.
const TIMEOUT_STATUS = 504;

export function operationTimeoutError(timeoutMs: number): LimitError {
  return new LimitError(
    LimitCode.OPERATION_TIMEOUT,
    { name: 'operationTimeoutMs', max: timeoutMs },
    `The operation did not finish within ${timeoutMs} ms and was abandoned. A mutation's database transaction may still have committed: read the data again before retrying.`,
    TIMEOUT_STATUS,
  );
}

// The deadline of each request, shared by the HTTP race and the middleware.
const deadlines = contextSlot('gatehouse.deadline', (value): value is number => typeof value === 'number');

/** Stamps a request's context with its deadline (an epoch in ms). */
export function withDeadline<T extends object>(context: T, deadline: number): T {
  return deadlines.set(context, deadline);
}

/** The request's deadline, for what waits before executing (src/graphql/limits/heavy-operations.ts). */
export function deadlineOf(context: object): number | undefined {
  return deadlines.get(context);
}

/**
 * Runs one HTTP GraphQL request with a deadline: the promise of `run` settles by then, or this
 * resolves to `timedOut` and the work is left to `operationTimeoutPlugin` to stop. graphql-js
 * cannot abort a resolver already running, so the response is what is cut; the plugin makes sure
 * no further resolver (no later mutation field) starts.
 */
export async function raceDeadline<T, U>(run: Promise<T>, timeoutMs: number, timedOut: () => U): Promise<T | U> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<U>((resolve) => {
    timer = setTimeout(() => resolve(timedOut()), timeoutMs);
  });
  // What the abandoned request does later is dropped, its failure included (logged by Apollo).
  run.catch(() => undefined);
  try {
    return await Promise.race([run, expired]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Past the request's deadline, a mutation field that has not started fails with OPERATION_TIMEOUT
 * instead of running: an abandoned request makes no further writes. Only root mutation fields are
 * wrapped (they run one after another); reads are cut by the response race alone, so query fields
 * pay nothing (Apollo's willResolveField would instrument every field of every response).
 */
export function mutationDeadlineMiddleware(schema: GraphQLSchema, timeoutMs: number): IMiddlewareFieldMap {
  const mutation = schema.getMutationType();
  if (!mutation) return {};
  const check = async (resolve: (...args: unknown[]) => unknown, root: unknown, args: unknown, context: object, info: unknown) => {
    const deadline = deadlines.get(context);
    if (deadline !== undefined && Date.now() >= deadline) throw operationTimeoutError(timeoutMs);
    return resolve(root, args, context, info);
  };
  return { Mutation: Object.fromEntries(Object.keys(mutation.getFields()).map((name) => [name, check])) };
}
