import { isObjectType, type GraphQLSchema } from 'graphql';
import { applyMiddleware, type IMiddlewareFieldMap, type IMiddlewareFunction } from 'graphql-middleware';
import type { GraphQLContext } from '../graphql/context.js';
import { allow, deny, shield } from 'graphql-shield';
import { ForbiddenError } from '../errors.js';
import { evaluationOf, fieldName, type Evaluation } from './guard.js';
import { inheritsField, type ModuleAuthorization, type RuleMap } from './authorization-map.js';

export type ShieldMode =
  /** Middleware only on fields with their own rule, and on anything unclassified (denied). */
  | 'selective'
  /** graphql-shield's own layout, every field wrapped (`allow` on inherited ones): the bench's baseline. */
  | 'every-field';

const ROOT_TYPES = new Set(['Query', 'Mutation', 'Subscription']);

/**
 * Applies the rules with graphql-shield, deny by default. graphql-shield wraps every field of the
 * schema, which costs 2–10× on large lists (its issues #416, #812, #1522); in `selective` mode
 * only fields that carry a rule are wrapped (a guard's without shield's async wrapper, see
 * guardMiddleware) — fields declared as inheriting their parent's check run as plain graphql-js
 * fields. A field that is neither keeps shield's fallback `deny`, so forgetting a rule fails closed.
 */
export function applyAuthorization(schema: GraphQLSchema, authorization: ModuleAuthorization, mode: ShieldMode = 'selective'): GraphQLSchema {
  return applyMiddleware(schema, authorizationMiddleware(schema, authorization, mode));
}

/** applyAuthorization's middleware, to compose with others in one applyMiddleware (src/graphql/compose-middleware.ts). */
export function authorizationMiddleware(schema: GraphQLSchema, authorization: ModuleAuthorization, mode: ShieldMode = 'selective'): IMiddlewareFieldMap {
  const { inherits } = authorization;
  for (const type of Object.keys(inherits)) {
    if (ROOT_TYPES.has(type)) throw new Error(`Fields of ${type} must carry their own rule; they cannot inherit one.`);
  }
  const rules: RuleMap = {};
  for (const [type, fields] of Object.entries(authorization.rules)) rules[type] = { ...fields };
  if (mode === 'every-field') {
    for (const type of Object.values(schema.getTypeMap())) {
      if (!isObjectType(type) || type.name.startsWith('__')) continue;
      for (const field of Object.keys(type.getFields())) {
        if (inheritsField(inherits, type.name, field) && !rules[type.name]?.[field]) (rules[type.name] ??= {})[field] = allow;
      }
    }
  }

  const generator = shield(rules, {
    fallbackRule: deny,
    // Resolver errors pass through to Apollo, whose formatError shows Gatehouse's own errors and
    // masks every other one; rule exceptions never get here (see guard.ts).
    allowExternalErrors: true,
    debug: false,
    fallbackError: (error, _parent, _args, _ctx, info) => (error instanceof Error ? error : new ForbiddenError(`${fieldName(info)} is not available.`)),
  });
  const generated = generator.generate(schema) as IMiddlewareFieldMap;
  if (mode === 'every-field') return generated;

  const selected: IMiddlewareFieldMap = {};
  for (const [type, fields] of Object.entries(generated)) {
    if (typeof fields !== 'object' || fields === null) continue;
    const kept: Record<string, unknown> = {};
    for (const [field, middleware] of Object.entries(fields)) {
      const evaluation = evaluationOf(rules[type]?.[field]);
      if (evaluation) kept[field] = guardMiddleware(evaluation);
      else if (rules[type]?.[field] || !inheritsField(inherits, type, field)) kept[field] = middleware;
    }
    if (Object.keys(kept).length > 0) selected[type] = kept as IMiddlewareFieldMap[string];
  }
  return selected;
}

/**
 * A guard's field, run as graphql-shield runs it (the field resolves only on `true`; a denial is
 * the field's error) without shield's wrapper, which is an async function: every guarded field
 * then completed through promises, even when its guard decided synchronously, and a page whose
 * items carry two guarded fields (a tool's createdBy and its email) cost 1.13-1.19x the plain
 * schema instead of 1.04x (npm run bench, 1,000 items). The guard itself is still a shield rule
 * (src/authz/guard.ts), and everything that is not one of them, the fallback `deny` of fields
 * nobody classified first, keeps shield's middleware.
 */
function guardMiddleware(evaluation: Evaluation): IMiddlewareFunction {
  return (resolve, parent, args, ctx: GraphQLContext, info) => {
    const decision = evaluation(parent, args, ctx, info);
    if (decision instanceof Promise) return decision.then((settled) => (settled === true ? resolve(parent, args, ctx, info) : settled));
    return decision === true ? resolve(parent, args, ctx, info) : decision;
  };
}
