import { sql, type RawBuilder, type SqlBool } from 'kysely';
import type { Executor } from '../../db/database.js';
import { UnreachableCaseError } from '../../errors.js';
import { afterCursor, type Page } from '../../graphql/pagination.js';
import { actionableAutomationIds, type AutomationScope } from '../automations/automations.repository.js';
import type { HitlRequestRow, HitlStatus, NewHitlRequest } from './hitl.table.js';

/**
 * A request's status as callers see it: a PENDING row past `expires_at` is EXPIRED even before
 * anything marks it so, so that no sweeper is needed for lists, counts and answers to agree.
 */
export function statusIs(status: HitlStatus): RawBuilder<SqlBool> {
  const expired = sql<SqlBool>`${sql.ref('hitlRequests.expiresAt')} <= now()`;
  switch (status) {
    case 'PENDING':
      return sql<SqlBool>`(${sql.ref('hitlRequests.status')} = 'PENDING' and not ${expired})`;
    case 'EXPIRED':
      return sql<SqlBool>`(${sql.ref('hitlRequests.status')} = 'EXPIRED' or (${sql.ref('hitlRequests.status')} = 'PENDING' and ${expired}))`;
    case 'ANSWERED':
      return sql<SqlBool>`${sql.ref('hitlRequests.status')} = 'ANSWERED'`;
    default:
      throw new UnreachableCaseError(status);
  }
}

/** The database clock sets the expiry, as it decides it (`statusIs`). */
export async function insertHitlRequest(db: Executor, values: Omit<NewHitlRequest, 'expiresAt'>, expiresInSeconds: number): Promise<HitlRequestRow> {
  return db
    .insertInto('hitlRequests')
    .values({ ...values, expiresAt: sql<Date>`now() + make_interval(secs => ${expiresInSeconds})` })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function findHitlRequestsByIds(db: Executor, ids: readonly string[]): Promise<HitlRequestRow[]> {
  return db.selectFrom('hitlRequests').selectAll().where('id', 'in', ids).execute();
}

/** Fresh from the database, bypassing the request's loader: after a lost race the cached row is stale. */
export async function findHitlRequest(db: Executor, id: string): Promise<HitlRequestRow | undefined> {
  return db.selectFrom('hitlRequests').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function listAutomationRequests(db: Executor, automationId: string, status: HitlStatus | null, page: Page): Promise<HitlRequestRow[]> {
  return db
    .selectFrom('hitlRequests')
    .selectAll()
    .where('automationId', '=', automationId)
    .$if(status !== null, (qb) => qb.where(statusIs(status ?? 'PENDING')))
    .where(afterCursor('hitlRequests', page.after))
    .orderBy('createdAt')
    .orderBy('id')
    .limit(page.limit + 1)
    .execute();
}

export async function countAutomationRequests(db: Executor, automationId: string, status: HitlStatus | null): Promise<number> {
  const row = await db
    .selectFrom('hitlRequests')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('automationId', '=', automationId)
    .$if(status !== null, (qb) => qb.where(statusIs(status ?? 'PENDING')))
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

/**
 * Open requests of the organization's automations the caller may answer (SPEC §3
 * human_in_the_loop, filtered in SQL by the same rule the answer's guard applies).
 */
function pendingFor(db: Executor, scope: AutomationScope) {
  return db
    .selectFrom('hitlRequests')
    .where('hitlRequests.organizationId', '=', scope.organizationId)
    .where('hitlRequests.automationId', 'in', actionableAutomationIds(db, scope, 'human_in_the_loop'))
    .where(statusIs('PENDING'));
}

export async function listPendingRequests(db: Executor, scope: AutomationScope, page: Page): Promise<HitlRequestRow[]> {
  return pendingFor(db, scope)
    .selectAll('hitlRequests')
    .where(afterCursor('hitlRequests', page.after))
    .orderBy('hitlRequests.createdAt')
    .orderBy('hitlRequests.id')
    .limit(page.limit + 1)
    .execute();
}

export async function countPendingRequests(db: Executor, scope: AutomationScope): Promise<number> {
  const row = await pendingFor(db, scope)
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

export interface Answer {
  /** The answer as JSON text, already checked for size. */
  answer: string;
  userId: string | null;
  serviceAccountId: string | null;
}

/**
 * Records the answer if, and only if, the request is still open: one statement, so of two
 * concurrent answers exactly one matches `status = 'PENDING'` and the other gets nothing back.
 * The winner also claims the first delivery attempt.
 */
export async function answerIfOpen(db: Executor, id: string, answer: Answer): Promise<HitlRequestRow | undefined> {
  return db
    .updateTable('hitlRequests')
    .set({
      status: 'ANSWERED',
      answer: answer.answer,
      answeredByUserId: answer.userId,
      answeredByServiceAccountId: answer.serviceAccountId,
      answeredAt: sql<Date>`now()`,
      forwardStatus: 'PENDING',
      forwardAttempts: 1,
      forwardAttemptedAt: sql<Date>`now()`,
    })
    .where('id', '=', id)
    .where(statusIs('PENDING'))
    .returningAll()
    .executeTakeFirst();
}

/** Stores EXPIRED on a request found past its expiry, so the row says what callers were told. */
export async function markExpired(db: Executor, id: string): Promise<void> {
  await db
    .updateTable('hitlRequests')
    .set({ status: 'EXPIRED' })
    .where('id', '=', id)
    .where('status', '=', 'PENDING')
    .where('expiresAt', '<=', sql<Date>`now()`)
    .execute();
}

/**
 * Claims another delivery attempt of an answered request: after a failure, or when an attempt
 * has been PENDING longer than `staleAfterMs` (the process that made it died mid-way). One
 * statement, so two concurrent retries cannot both deliver.
 */
export async function claimRetry(db: Executor, id: string, staleAfterMs: number): Promise<HitlRequestRow | undefined> {
  return db
    .updateTable('hitlRequests')
    .set({ forwardStatus: 'PENDING', forwardError: null, forwardAttempts: sql<number>`forward_attempts + 1`, forwardAttemptedAt: sql<Date>`now()` })
    .where('id', '=', id)
    .where('status', '=', 'ANSWERED')
    .where((eb) =>
      eb.or([
        eb('forwardStatus', '=', 'FAILED'),
        eb.and([eb('forwardStatus', '=', 'PENDING'), eb('forwardAttemptedAt', '<', sql<Date>`now() - make_interval(secs => ${staleAfterMs / 1000})`)]),
      ]),
    )
    .returningAll()
    .executeTakeFirst();
}

export async function recordForward(db: Executor, id: string, outcome: { delivered: true } | { delivered: false; error: string }): Promise<HitlRequestRow> {
  return db
    .updateTable('hitlRequests')
    .set(outcome.delivered ? { forwardStatus: 'DELIVERED', forwardError: null } : { forwardStatus: 'FAILED', forwardError: outcome.error })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}
