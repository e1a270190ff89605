import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Db, Executor } from '../../db/database.js';
import { storableText } from '../../db/storable-text.js';
import { inTransaction } from '../../db/transaction.js';
import { afterCursor, beforeCursor, type Page } from '../../graphql/pagination.js';
import type { AttemptOutcome } from './send-webhook.js';
import { noteEndpointFailure, noteEndpointSuccess, type DisableRule } from './webhooks.repository.js';
import type { NewWebhookDelivery, WebhookAttemptRow, WebhookDeliveryRow, WebhookDeliveryStatus } from './webhooks.table.js';

/** Writes deliveries in the caller's transaction; an event already written for an endpoint is not written again. */
export async function insertDeliveries(trx: Executor, rows: readonly NewWebhookDelivery[]): Promise<number> {
  if (rows.length === 0) return 0;
  const result = await trx
    .insertInto('webhookDeliveries')
    .values([...rows])
    .onConflict((oc) => oc.columns(['webhookId', 'eventKey']).doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0n);
}

export async function findDeliveriesByIds(db: Executor, ids: readonly string[]): Promise<WebhookDeliveryRow[]> {
  return db.selectFrom('webhookDeliveries').selectAll().where('id', 'in', ids).execute();
}

function deliveriesOf(db: Executor, webhookId: string, status: WebhookDeliveryStatus | null) {
  return db
    .selectFrom('webhookDeliveries')
    .where('webhookId', '=', webhookId)
    .$if(status !== null, (qb) => qb.where('status', '=', status ?? 'PENDING'));
}

/** Newest first: what just happened is what an administrator looks for. */
export async function listDeliveries(db: Executor, webhookId: string, status: WebhookDeliveryStatus | null, page: Page): Promise<WebhookDeliveryRow[]> {
  return deliveriesOf(db, webhookId, status)
    .selectAll()
    .where(beforeCursor('webhookDeliveries', page.after))
    .orderBy('createdAt', 'desc')
    .orderBy('id', 'desc')
    .limit(page.limit + 1)
    .execute();
}

export async function countDeliveries(db: Executor, webhookId: string, status: WebhookDeliveryStatus | null): Promise<number> {
  const row = await deliveriesOf(db, webhookId, status)
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

/** In the order they were made. */
export async function listAttempts(db: Executor, deliveryId: string, page: Page): Promise<WebhookAttemptRow[]> {
  return db
    .selectFrom('webhookAttempts')
    .selectAll()
    .where('deliveryId', '=', deliveryId)
    .where(afterCursor('webhookAttempts', page.after))
    .orderBy('createdAt')
    .orderBy('id')
    .limit(page.limit + 1)
    .execute();
}

export async function countAttempts(db: Executor, deliveryId: string): Promise<number> {
  const row = await db
    .selectFrom('webhookAttempts')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('deliveryId', '=', deliveryId)
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

const AGAIN = {
  status: 'PENDING',
  nextAttemptAt: sql<Date>`now()`,
  retryWindowStartedAt: sql<Date>`now()`,
  lockedUntil: null,
  leaseToken: null,
  deliveredAt: null,
} as const;

/**
 * Sends a delivery again, whatever became of it, with the same id (receivers deduplicate by
 * `webhook-id`) and a new retry window from now.
 */
export async function replayDelivery(db: Executor, organizationId: number, id: string): Promise<WebhookDeliveryRow | undefined> {
  return db.updateTable('webhookDeliveries').set(AGAIN).where('organizationId', '=', organizationId).where('id', '=', id).returningAll().executeTakeFirst();
}

/** Sends again every delivery of the endpoint that FAILED (gave up), written since `since`. */
export async function replayFailedDeliveries(db: Executor, webhookId: string, since: Date): Promise<number> {
  const result = await db
    .updateTable('webhookDeliveries')
    .set(AGAIN)
    .where('webhookId', '=', webhookId)
    .where('status', '=', 'FAILED')
    .where('createdAt', '>=', since)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** A delivery a worker holds, with what it needs to send it. */
export interface ClaimedDelivery {
  id: string;
  webhookId: string;
  organizationId: number;
  payload: string;
  attemptCount: number;
  leaseToken: string;
  url: string;
  secretCiphertext: Buffer;
}

export interface ClaimOptions {
  limit: number;
  /** At most this many deliveries of one endpoint held at once (by this replica's claims and earlier live ones). */
  perEndpoint: number;
  /** How long the claim holds: past it, a crashed worker's delivery is due again. */
  leaseMs: number;
}

/**
 * Claims due deliveries: PENDING, due, not held under a live lease, of an enabled endpoint. The
 * rows are locked with FOR UPDATE SKIP LOCKED, so that replicas claiming at the same moment take
 * different rows without waiting on each other, then leased (`locked_until`, `lease_token`) in the
 * same short transaction. No lock is held while sending: the lease is what keeps other replicas
 * off, and it expires if this one dies.
 */
export async function claimDueDeliveries(db: Db, options: ClaimOptions): Promise<ClaimedDelivery[]> {
  return inTransaction(db, async (trx) => {
    const candidates = await sql<{ id: string; webhookId: string; held: number }>`
      select d.id, d.webhook_id as "webhookId",
        (select count(*) from webhook_deliveries x
          where x.webhook_id = d.webhook_id and x.status = 'PENDING' and x.locked_until > now())::integer as "held"
      from webhook_deliveries d join webhooks w on w.id = d.webhook_id
      where d.status = 'PENDING' and d.next_attempt_at <= now()
        and (d.locked_until is null or d.locked_until <= now()) and w.disabled_at is null
      order by d.next_attempt_at, d.id
      limit ${options.limit * 4}
      for update of d skip locked`.execute(trx);
    // A receiver that hangs holds at most `perEndpoint` of this replica's slots.
    const perEndpoint = new Map<string, number>();
    const ids: string[] = [];
    for (const candidate of candidates.rows) {
      if (ids.length >= options.limit) break;
      const held = perEndpoint.get(candidate.webhookId) ?? candidate.held;
      if (held >= options.perEndpoint) continue;
      perEndpoint.set(candidate.webhookId, held + 1);
      ids.push(candidate.id);
    }
    if (ids.length === 0) return [];
    const leaseToken = randomUUID();
    await trx
      .updateTable('webhookDeliveries')
      .set({ lockedUntil: sql<Date>`now() + make_interval(secs => ${options.leaseMs / 1000})`, leaseToken })
      .where('id', 'in', ids)
      .execute();
    return trx
      .selectFrom('webhookDeliveries')
      .innerJoin('webhooks', 'webhooks.id', 'webhookDeliveries.webhookId')
      .select([
        'webhookDeliveries.id',
        'webhookDeliveries.webhookId',
        'webhookDeliveries.organizationId',
        'webhookDeliveries.payload',
        'webhookDeliveries.attemptCount',
        'webhooks.url',
        'webhooks.secretCiphertext',
      ])
      .where('webhookDeliveries.id', 'in', ids)
      .orderBy('webhookDeliveries.nextAttemptAt')
      .execute()
      .then((rows) => rows.map((row) => ({ ...row, leaseToken })));
  });
}

/** How failed attempts are retried (README "Webhooks"). */
export interface RetryPolicy {
  baseMs: number;
  maxDelayMs: number;
  windowSeconds: number;
}

/**
 * Exponential backoff with jitter: after the n-th failed attempt, base × 2^(n−1) capped at the
 * maximum, of which a random half is taken off ("equal jitter"), so that deliveries that failed
 * together do not all come back together, and each wait is still at least half the nominal one.
 */
export function backoffDelayMs(failedAttempts: number, policy: Pick<RetryPolicy, 'baseMs' | 'maxDelayMs'>, random = Math.random): number {
  const nominal = Math.min(policy.maxDelayMs, policy.baseMs * 2 ** Math.min(failedAttempts - 1, 30));
  return Math.round(nominal / 2 + random() * (nominal / 2));
}

export interface Recorded {
  status: WebhookDeliveryStatus | null;
  /** This failure disabled the endpoint. */
  disabledEndpoint: boolean;
}

const ERROR_MAX = 2000;
// What a receiver answered is recorded whatever it holds: a NUL would make the insert fail, and the
// attempt would then go unrecorded and be repeated when its claim expired.
const recordable = (text: string | null, max: number) => (text === null ? null : storableText(text.slice(0, max)));

/**
 * Records an attempt and moves the delivery on, in one transaction: DELIVERED on a 2xx; else
 * PENDING again after the backoff, or FAILED once its retry window is over (the last retry is
 * made at the window's end). Only the claim's holder moves the delivery: if its lease expired and
 * another worker took it, the attempt is recorded and the other worker decides.
 */
export async function recordAttempt(db: Db, claimed: ClaimedDelivery, outcome: AttemptOutcome, retry: RetryPolicy, rule: DisableRule): Promise<Recorded> {
  return inTransaction(db, async (trx) => {
    // Locks the delivery against a concurrent replay; gone when the endpoint was deleted meanwhile.
    const current = await trx.selectFrom('webhookDeliveries').select('id').where('id', '=', claimed.id).forUpdate().executeTakeFirst();
    if (!current) return { status: null, disabledEndpoint: false };
    const attemptNumber = claimed.attemptCount + 1;
    await trx
      .insertInto('webhookAttempts')
      .values({
        deliveryId: claimed.id,
        attemptNumber,
        succeeded: outcome.succeeded,
        statusCode: outcome.statusCode,
        error: recordable(outcome.error, ERROR_MAX),
        responseBody: recordable(outcome.responseBody, ERROR_MAX),
        durationMs: outcome.durationMs,
        createdAt: outcome.startedAt,
      })
      .execute();
    const common = {
      attemptCount: sql<number>`attempt_count + 1`,
      lastStatusCode: outcome.statusCode,
      lastError: recordable(outcome.error, ERROR_MAX),
      lockedUntil: null,
      leaseToken: null,
    };
    const mine = trx.updateTable('webhookDeliveries').where('id', '=', claimed.id).where('leaseToken', '=', claimed.leaseToken);
    if (outcome.succeeded) {
      const row = await mine
        .set({ ...common, status: 'DELIVERED', deliveredAt: sql<Date>`now()` })
        .returning('status')
        .executeTakeFirst();
      await noteEndpointSuccess(trx, claimed.webhookId);
      return { status: row?.status ?? null, disabledEndpoint: false };
    }
    const windowEnd = sql<Date>`retry_window_started_at + make_interval(secs => ${retry.windowSeconds})`;
    const delaySeconds = backoffDelayMs(attemptNumber, retry) / 1000;
    const row = await mine
      .set({
        ...common,
        status: sql<WebhookDeliveryStatus>`case when now() >= ${windowEnd} then 'FAILED' else 'PENDING' end`,
        nextAttemptAt: sql<Date>`least(now() + make_interval(secs => ${delaySeconds}), ${windowEnd})`,
      })
      .returning('status')
      .executeTakeFirst();
    const disabledEndpoint = await noteEndpointFailure(trx, claimed.webhookId, rule);
    return { status: row?.status ?? null, disabledEndpoint };
  });
}
