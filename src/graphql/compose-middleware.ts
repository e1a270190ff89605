import type { GraphQLSchema } from 'graphql';
import type { IMiddlewareFieldMap, IMiddlewareFunction, IMiddlewareTypeMap } from 'graphql-middleware';

/** A middleware that is a function (graphql-middleware's IMiddlewareResolver, which it does not export). */
type IMiddlewareResolver = Extract<IMiddlewareFunction, (...args: never[]) => unknown>;

/**
 * Several graphql-middleware maps as one, for one `applyMiddleware` (issue 16 §5, start fast).
 * applyMiddleware copies the whole schema once per middleware it is given (graphql-tools'
 * addResolversToSchema without updateResolversInPlace): about 28 ms each at start, for five of
 * them. Composed first, the schema is copied once, and each field gets the same chain as before:
 * the first middleware is the outermost, as in `applyMiddleware(schema, first, second)`.
 *
 * A middleware is a type map: a resolver for every field of a type, or one per field. Fragments
 * (graphql-middleware's `{ fragment, resolve }`, for schema stitching) are refused, not dropped:
 * Gatehouse declares none; graphql-shield's logic rules come with an empty list of them.
 */
export function composeMiddleware(schema: GraphQLSchema, ...middlewares: IMiddlewareTypeMap[]): IMiddlewareTypeMap {
  const chains = new Map<string, Map<string, IMiddlewareResolver[]>>();
  for (const middleware of middlewares) {
    for (const [typeName, value] of Object.entries(middleware)) {
      const type = schema.getType(typeName);
      // graphql-middleware's own check (MiddlewareError) names a type or field the schema lacks.
      const fields = type && 'getFields' in type ? Object.keys(type.getFields()) : [];
      const perField: IMiddlewareFieldMap = isTypeWide(value) ? Object.fromEntries(fields.map((field) => [field, value])) : value;
      const chain = chains.get(typeName) ?? new Map<string, IMiddlewareResolver[]>();
      chains.set(typeName, chain);
      for (const [field, fn] of Object.entries(perField)) chain.set(field, [...(chain.get(field) ?? []), resolverOf(typeName, field, fn)]);
    }
  }
  const composed: IMiddlewareTypeMap = {};
  for (const [typeName, fields] of chains) {
    composed[typeName] = Object.fromEntries([...fields].map(([field, chain]) => [field, chain.reduceRight(wrap)]));
  }
  return composed;
}

/** One middleware for every field of the type, as graphql-middleware tells them from a field map. */
function isTypeWide(value: IMiddlewareTypeMap[string]): value is IMiddlewareFunction {
  return typeof value === 'function' || 'fragment' in value || 'fragments' in value;
}

function resolverOf(typeName: string, field: string, fn: IMiddlewareFunction): IMiddlewareResolver {
  if (typeof fn === 'function') return fn;
  // graphql-shield gives its logic rules (allow, deny, and, or …) as `{ fragments: [], resolve }`:
  // nothing to stitch, a resolver like any other.
  const fragments = [...(fn.fragment === undefined ? [] : [fn.fragment]), ...(fn.fragments ?? [])];
  if (fragments.length === 0 && fn.resolve) return fn.resolve;
  throw new Error(`composeMiddleware: ${typeName}.${field} has a middleware with options (fragments), which Gatehouse does not compose; give a resolver.`);
}

/** `outer` around `inner`, as graphql-middleware wraps a resolver: `next()` without arguments passes the field's own. */
function wrap(inner: IMiddlewareResolver, outer: IMiddlewareResolver): IMiddlewareResolver {
  return (resolve, parent, args, context, info) =>
    outer((p = parent, a = args, c = context, i = info) => inner(resolve, p, a, c, i), parent, args, context, info);
}
