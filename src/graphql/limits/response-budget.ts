import { getNamedType, isObjectType, type GraphQLField, type GraphQLSchema } from 'graphql';
import type { IMiddlewareFieldMap } from 'graphql-middleware';
import { contextSlot } from './context-slot.js';
import { LimitCode, LimitError } from './limit-error.js';

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
  exceeded = false;

  constructor(readonly max: number) {}

  /** Counts a resolved value; throws (and remembers) once the budget is spent. */
  count(value: unknown): void {
    if (value === null || value === undefined) return;
    this.used += typeof value === 'string' ? Buffer.byteLength(value) : Buffer.byteLength(JSON.stringify(value) ?? '');
    if (this.used > this.max) {
      this.exceeded = true;
      throw this.error();
    }
  }

  error(): LimitError {
    return new LimitError(
      LimitCode.RESPONSE_TOO_LARGE,
      { name: 'responseBytes', max: this.max, actual: this.used },
      `The response would exceed MAX_RESPONSE_BYTES (${this.max} bytes in its large fields: attributes, manifests, configs, documents, text) and was not sent. Ask for fewer items (a smaller first:) or leave out the large fields, and page through the rest.`,
    );
  }
}

const budgets = contextSlot('gatehouse.responseBudget', (value): value is ResponseBudget => value instanceof ResponseBudget);

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
    if (budget.exceeded) throw budget.error();
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
