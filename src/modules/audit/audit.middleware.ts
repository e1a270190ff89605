import type { GraphQLResolveInfo } from 'graphql';
import type { IMiddlewareFieldMap } from 'graphql-middleware';
import { inTransaction } from '../../db/transaction.js';
import type { GraphQLContext } from '../../graphql/context.js';
import { createLoaders } from '../../graphql/loaders.js';
import { AUDIT_TARGETS, snapshot } from './audit-snapshots.js';
import { insertAuditEntry } from './audit.repository.js';
import type { Snapshot } from './audit.table.js';
import { AUDITED, type AuditSpec } from './audited-mutations.js';

type Resolve = (root: unknown, args: Record<string, unknown>, ctx: GraphQLContext, info: GraphQLResolveInfo) => unknown;

function organizationOf(spec: AuditSpec, args: Record<string, unknown>, ...snapshots: (Snapshot | null)[]): number | null {
  for (const snap of snapshots) {
    const id = spec.target === 'Organization' ? snap?.id : snap?.organization_id;
    if (typeof id === 'number') return id;
  }
  const fromArgs = Number(args.organizationId);
  return Number.isInteger(fromArgs) && fromArgs > 0 ? fromArgs : null;
}

/**
 * Runs each audited mutation in a transaction with its audit entry (issue 4 §7): the resolver gets
 * a context whose database and DataLoaders are that transaction, so the change and the entry commit
 * together, and a mutation that fails writes nothing. Applied inside graphql-shield, so a denied
 * mutation never opens a transaction. Work a resolver defers with `afterCommit` (a deploy's
 * Kubernetes calls) runs after the commit, outside the transaction: the entry records the request.
 * The transaction may run more than once (a deadlock, src/db/transaction.ts); the resolver runs
 * again with it, so its effects outside the database belong in `afterCommit`.
 */
function audited(spec: AuditSpec) {
  return async (resolve: Resolve, root: unknown, args: Record<string, unknown>, ctx: GraphQLContext, info: GraphQLResolveInfo) => {
    const committed = await inTransaction(ctx.db, async (trx) => {
      // Collected afresh on every attempt: inTransaction runs this again after a deadlock, and
      // what a rolled-back attempt deferred (a deploy's Kubernetes calls) must not run as well.
      const deferred: Array<(ctx: GraphQLContext) => Promise<unknown>> = [];
      const scoped: GraphQLContext = { ...ctx, db: trx, loaders: createLoaders(trx), afterCommit: (work) => deferred.push(work) };
      const keyBefore = spec.key(args, undefined, scoped);
      const before = keyBefore ? await snapshot(trx, spec.target, keyBefore) : null;
      const result = await resolve(root, args, scoped, info);
      if (result instanceof Error) throw result;
      const key = spec.key(args, result, scoped) ?? keyBefore;
      const after = key ? await snapshot(trx, spec.target, key) : null;
      const principal = ctx.authz.principal;
      await insertAuditEntry(trx, {
        organizationId: organizationOf(spec, args, after, before),
        actorUserId: principal?.kind === 'user' ? principal.userId : null,
        actorServiceAccountId: principal?.kind === 'service_account' ? principal.serviceAccountId : null,
        actorName: principal ? (principal.kind === 'user' ? principal.email : principal.name) : 'anonymous',
        action: spec.action,
        targetType: spec.target,
        targetId: key ? key.join(':') : null,
        before,
        after,
        requestId: ctx.requestId,
      });
      return { result, deferred };
    });
    let result: unknown = committed.result;
    for (const work of committed.deferred) result = await work(ctx);
    return result;
  };
}

export function auditMiddleware(): IMiddlewareFieldMap {
  return { Mutation: Object.fromEntries(Object.entries(AUDITED).map(([name, spec]) => [name, audited(spec)])) };
}

export const AUDITED_TARGET_TYPES = Object.keys(AUDIT_TARGETS);
