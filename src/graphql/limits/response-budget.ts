import type { ApolloServerPlugin } from '@apollo/server';
import { getNamedType, isObjectType, type GraphQLField, type GraphQLSchema } from 'graphql';
import type { IMiddlewareFieldMap } from 'graphql-middleware';
import { contextSlot } from './context-slot.js';
import { LimitCode, LimitError } from './limit-error.js';
import { Semaphore } from './semaphore.js';

// Fields whose values can be large (JSON documents, free text): what the cost model weighs at
// 5 or more with @cost, and every JSONObject (a deployment's manifests, a few KiB each, weigh 2). The others (ids, names, times) are bounded by the
// cost limit: at most MAX_QUERY_COST objects of a few short scalars each.
const LARGE_COST = 5;

/**
 * The bytes a request's response may carry in its large fields (MAX_RESPONSE_BYTES), counted as
 * each large value is resolved: once over, every large field that starts after that fails at
 * once, without resolving, and the request is answered RESPONSE_TOO_LARGE instead of its data. So
 * the gateway holds no more than the budget plus the values already resolving side by side (one
 * page of one list) for one request, whatever the cost model let through.
 */
export class ResponseBudget {
  used = 0;
  /** Bytes of large values read and not counted yet: pages still being read (largeRows). */
  private held = 0;
  exceeded = false;
  private actual: number | undefined;
  /** Thrown by every large field after the budget is spent: one error, not one per field. */
  private refusal: LimitError | undefined;

  constructor(
    readonly max: number,
    /** Pages of large rows read at once in the process (see largePage). */
    readonly largePages: Semaphore = new Semaphore(Number.MAX_SAFE_INTEGER),
  ) {}

  /** Counts a resolved value; throws (and remembers) once the budget is spent. */
  count(value: unknown): void {
    if (value === null || value === undefined) return;
    this.used += jsonBytes(value);
    this.check();
  }

  /**
   * Holds `bytes` of large values a page has read and will hand to its fields: a page over the
   * budget is refused while it is read, not once all its rows are in memory. The page releases
   * what it held when it returns its rows, and their fields then count them.
   */
  hold(bytes: number): void {
    this.held += bytes;
    this.check();
  }

  release(bytes: number): void {
    this.held -= bytes;
  }

  private check(): void {
    if (this.used + this.held > this.max) {
      this.exceeded = true;
      // What was counted and held when it gave up: held bytes are released as their pages fail.
      this.actual ??= this.used + this.held;
      throw this.refused();
    }
  }

  /**
   * The refusal, made once. Hundreds of large fields may fail after the budget is spent; a
   * GraphQLError captures a stack and graphql-js wraps each error it has not located yet in
   * another, so each would cost two. This one carries a path, so graphql-js passes it on as it is;
   * the gateway answers with error() anyway.
   */
  refused(): LimitError {
    if (!this.refusal) {
      const error = this.error();
      this.refusal = new LimitError(error.code, error.limit, error.message, 400, undefined, []);
    }
    return this.refusal;
  }

  error(): LimitError {
    return new LimitError(
      LimitCode.RESPONSE_TOO_LARGE,
      { name: 'responseBytes', max: this.max, actual: this.actual ?? this.used + this.held },
      `The response would exceed MAX_RESPONSE_BYTES (${this.max} bytes in its large fields: attributes, manifests, configs, documents, text) and was not sent. Ask for fewer items (a smaller first:) or leave out the large fields, and page through the rest.`,
    );
  }
}

/**
 * About the bytes of `value` as JSON, without making the JSON: UTF-8 bytes of its strings and
 * keys with their quotes and separators (a string alone counts its text), escapes aside. Counting by JSON.stringify cost as much as writing
 * the response a second time.
 */
export function jsonBytes(value: unknown): number {
  switch (typeof value) {
    case 'string':
      return Buffer.byteLength(value);
    case 'number':
    case 'boolean':
    case 'bigint':
      return String(value).length;
    case 'object': {
      if (value === null) return 4;
      if (value instanceof Date) return 26;
      let bytes = 2;
      if (Array.isArray(value)) {
        for (const item of value) bytes += jsonBytes(item) + 3;
        return bytes;
      }
      for (const [key, item] of Object.entries(value)) bytes += Buffer.byteLength(key) + 6 + jsonBytes(item);
      return bytes;
    }
    default:
      return 0;
  }
}

/**
 * Once the budget is spent, the response is the refusal alone (the gateway answers it with 400):
 * Apollo then has no partial result of several MiB to serialize only for it to be dropped.
 */
export function responseBudgetPlugin<TContext extends object>(): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ contextValue, response }) {
          const budget = budgets.get(contextValue);
          if (budget?.exceeded && response.body.kind === 'single') response.body.singleResult = { errors: [budget.error()] };
        },
      };
    },
  };
}

const budgets = contextSlot('gatehouse.responseBudget', (value): value is ResponseBudget => value instanceof ResponseBudget);

/**
 * Reads a page of large rows (span attributes, …) within the budget: not at all once the budget is
 * spent, and at most `largePages` such reads at once in the process. Sibling fields start their
 * reads together, so without the turn one request's fifteen aliased pages would all be read from
 * the database, and hold its connections, before the first value was counted; in turns, the
 * pages after the budget is spent are never read.
 */
export async function largePage<T>(context: object, read: () => Promise<T>): Promise<T> {
  const budget = budgets.get(context);
  if (!budget) return read();
  if (budget.exceeded) throw budget.refused();
  return budget.largePages.run(async () => {
    if (budget.exceeded) throw budget.refused();
    return read();
  });
}

// Rows of large values read per statement once a page proves large: 16 spans at the OTLP caps are
// 1 MiB, a few milliseconds of the database's and the thread's time, after which others get a turn.
const LARGE_CHUNK_ROWS = 16;
// A first chunk under this is an ordinary page (a run's spans are a few KiB each): the rest comes
// in one more statement.
const SMALL_CHUNK_BYTES = 256 * 1024;

/**
 * Reads `count` rows of large values (span attributes, …) as largePage does, in chunks once they
 * prove large: each chunk is its own turn at the semaphore, and between chunks the thread goes back
 * to the event loop. One worst-case page is then many short bursts of work, between which other
 * tenants' small queries run, instead of one burst of several MiB that they all wait behind.
 * What each chunk brings (`bytesOf`) is held against the budget as it comes in, so a request's
 * pages together stop once they have read the budget's worth, not after every row of every page
 * is in memory (ten worst-case reads at once held over 300 MiB that way). `read(after, n)` reads
 * the n rows after the row `after` (from the start when undefined).
 */
export async function largeRows<T>(
  context: object,
  count: number,
  read: (after: T | undefined, n: number) => Promise<T[]>,
  bytesOf: (rows: T[]) => number,
): Promise<T[]> {
  const budget = budgets.get(context);
  let held = 0;
  const hold = (rows: T[]): number => {
    const bytes = bytesOf(rows);
    held += bytes;
    budget?.hold(bytes);
    return bytes;
  };
  try {
    const first = await largePage(context, () => read(undefined, Math.min(count, LARGE_CHUNK_ROWS)));
    const firstBytes = hold(first);
    if (first.length < Math.min(count, LARGE_CHUNK_ROWS) || first.length === count) return first;
    const rows = first;
    const chunk = firstBytes < SMALL_CHUNK_BYTES ? count : LARGE_CHUNK_ROWS;
    while (rows.length < count) {
      await new Promise((resolve) => setImmediate(resolve));
      const wanted = Math.min(chunk, count - rows.length);
      const next = await largePage(context, () => read(rows.at(-1), wanted));
      hold(next);
      rows.push(...next);
      if (next.length < wanted) break;
    }
    return rows;
  } finally {
    // The rows' fields count them from here (or nobody will: the page failed).
    budget?.release(held);
  }
}

/** Gives a request's context its response budget. */
export function withResponseBudget<T extends object>(context: T, budget: ResponseBudget): T {
  return budgets.set(context, budget);
}

function isLarge(field: GraphQLField<unknown, unknown>): boolean {
  if (getNamedType(field.type).name === 'JSONObject') return true;
  const cost = field.astNode?.directives?.find((directive) => directive.name.value === 'cost');
  const weight = cost?.arguments?.find((argument) => argument.name.value === 'weight')?.value;
  return weight?.kind === 'IntValue' && Number(weight.value) >= LARGE_COST;
}

/** Wraps the large fields only: the rest of a response pays nothing. */
export function responseBudgetMiddleware(schema: GraphQLSchema): IMiddlewareFieldMap {
  const map: IMiddlewareFieldMap = {};
  const wrap = async (resolve: (...args: unknown[]) => unknown, root: unknown, args: unknown, context: object, info: unknown) => {
    const budget = budgets.get(context);
    if (!budget) return resolve(root, args, context, info);
    if (budget.exceeded) throw budget.refused();
    const value = await resolve(root, args, context, info);
    budget.count(value);
    return value;
  };
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    const large = Object.values(type.getFields()).filter(isLarge);
    if (large.length > 0) map[type.name] = Object.fromEntries(large.map((field) => [field.name, wrap]));
  }
  return map;
}
