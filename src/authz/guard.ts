import type { GraphQLResolveInfo } from 'graphql';
import { rule } from 'graphql-shield';
import type { IRule } from 'graphql-shield';
import { ForbiddenError, type GatehouseError } from '../errors.js';
import type { GraphQLContext } from '../graphql/context.js';
import { denialReason, RULE_ERROR } from '../observability/denial-reason.js';
import type { Reach } from './permission-set.js';

export type Decision = true | GatehouseError;
export type Check = (parent: unknown, args: Record<string, unknown>, ctx: GraphQLContext, info: GraphQLResolveInfo) => Decision | Promise<Decision>;

export function fieldName(info: GraphQLResolveInfo): string {
  return `${info.parentType.name}.${info.fieldName}`;
}

const guards = new Map<string, IRule>();
const reachOfRule = new WeakMap<IRule, Reach>();
const evaluationOfRule = new WeakMap<IRule, Evaluation>();

/** A guard's decision on one field: never throws; a promise only when the check awaited something. */
export type Evaluation = (parent: unknown, args: Record<string, unknown>, ctx: GraphQLContext, info: GraphQLResolveInfo) => Decision | Promise<Decision>;

/** The evaluation of a guard, for src/authz/shield.ts to run it on a field without graphql-shield's async wrapper. */
export function evaluationOf(rule: unknown): Evaluation | undefined {
  return typeof rule === 'object' && rule !== null ? evaluationOfRule.get(rule as IRule) : undefined;
}

/** The static reach of a guard (which permission sets see its field), for the role-filtered schema. */
export function reachOf(rule: unknown): Reach | undefined {
  return typeof rule === 'object' && rule !== null ? reachOfRule.get(rule as IRule) : undefined;
}

/**
 * A graphql-shield rule that fails closed: graphql-shield swallows a rule's exception as a bare
 * `false`; here it is logged with the request id and answered with a FORBIDDEN that says so.
 * Every denial is counted in gatehouse_authz_denials_total by what was missing (README "Metrics").
 * Rules are cached by name because shield requires one function per rule name.
 *
 * `reach` says, without any entity at hand, which permission sets could ever pass the check: a
 * field whose rule no entity could satisfy for a set is left out of that set's schema
 * (src/authz/visible-schema). It must never be narrower than the check itself.
 */
export function guard(name: string, check: Check, reach: Reach): IRule {
  const existing = guards.get(name);
  if (existing) return existing;
  const threw = (error: unknown, ctx: GraphQLContext, info: GraphQLResolveInfo): Decision => {
    ctx.logger.error({ err: error, rule: name, field: fieldName(info), requestId: ctx.requestId }, 'authorization rule threw; denied');
    ctx.metrics.authzDenied(RULE_ERROR);
    return new ForbiddenError(
      `${fieldName(info)} could not be authorized: the permission check failed (request ${ctx.requestId}). Nothing was returned or changed.`,
    );
  };
  const decided = (decision: Decision, ctx: GraphQLContext): Decision => {
    // Counted per evaluation: a denied field of a list counts once for every item it denies.
    if (decision !== true) ctx.metrics.authzDenied(denialReason(decision));
    return decision;
  };
  // Not an async function: a check that decides synchronously (the grants at hand) answers without
  // a promise of its own, which a rule on every item of a long page pays once per item.
  const evaluation: Evaluation = (parent, args, ctx, info) => {
    let decision: Decision | Promise<Decision>;
    try {
      decision = check(parent, args, ctx, info);
    } catch (error) {
      return threw(error, ctx, info);
    }
    if (decision instanceof Promise)
      return decision.then(
        (value) => decided(value, ctx),
        (error: unknown) => threw(error, ctx, info),
      );
    return decided(decision, ctx);
  };
  const created = rule(name, { cache: 'no_cache' })(evaluation);
  guards.set(name, created);
  reachOfRule.set(created, reach);
  evaluationOfRule.set(created, evaluation);
  return created;
}
