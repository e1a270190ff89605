import { sql, type RawBuilder, type SqlBool } from 'kysely';
import type { TokenScope } from '../../authz/principal.js';
import type { Executor } from '../../db/database.js';
import { afterCursor, type Page } from '../../graphql/pagination.js';
import type { NewWebhook, WebhookEventType, WebhookRow } from './webhooks.table.js';

/** Who is reading or changing an organization's endpoints. */
export interface WebhookViewer {
  organizationId: number;
  /** organization_settings: MANAGE: every endpoint of the organization. */
  administers: boolean;
  userId: string | null;
  serviceAccountId: string | null;
  /** A scoped API token (SPEC §6) reaches the endpoints its principal registered within its scope. */
  tokenScope: TokenScope | null;
}

/**
 * Which endpoints a viewer reaches, for lists, counts and single-item checks alike: all of the
 * organization's for its administrators; for a scoped API token, those its principal registered
 * whose scope lies within the token's (so a token never manages an endpoint that receives more
 * than it could read itself); none otherwise.
 */
export function reachable(viewer: WebhookViewer): RawBuilder<SqlBool> {
  if (viewer.administers) return sql<SqlBool>`true`;
  const scope = viewer.tokenScope;
  if (!scope) return sql<SqlBool>`false`;
  const registrant =
    viewer.serviceAccountId !== null
      ? sql`webhooks.registered_by_service_account_id = ${viewer.serviceAccountId}`
      : sql`webhooks.registered_by_user_id = ${viewer.userId}`;
  return sql<SqlBool>`(${registrant} and webhooks.scope_automation_ids <@ ${[...scope.automationIds]}::uuid[]
    and webhooks.scope_permissions <@ ${[...scope.permissions]}::text[])`;
}

export async function findWebhooksByIds(db: Executor, ids: readonly string[]): Promise<WebhookRow[]> {
  return db.selectFrom('webhooks').selectAll().where('id', 'in', ids).execute();
}

export async function listWebhooks(db: Executor, viewer: WebhookViewer, page: Page): Promise<WebhookRow[]> {
  return db
    .selectFrom('webhooks')
    .selectAll()
    .where('organizationId', '=', viewer.organizationId)
    .where(reachable(viewer))
    .where(afterCursor('webhooks', page.after))
    .orderBy('createdAt')
    .orderBy('id')
    .limit(page.limit + 1)
    .execute();
}

export async function countWebhooks(db: Executor, viewer: WebhookViewer): Promise<number> {
  const row = await db
    .selectFrom('webhooks')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('organizationId', '=', viewer.organizationId)
    .where(reachable(viewer))
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

export async function isWebhookReachable(db: Executor, id: string, viewer: WebhookViewer): Promise<boolean> {
  const row = await db
    .selectFrom('webhooks')
    .select('id')
    .where('organizationId', '=', viewer.organizationId)
    .where('id', '=', id)
    .where(reachable(viewer))
    .executeTakeFirst();
  return row !== undefined;
}

export async function insertWebhook(db: Executor, values: NewWebhook): Promise<WebhookRow> {
  return db.insertInto('webhooks').values(values).returningAll().executeTakeFirstOrThrow();
}

/** Deletes the endpoint with its deliveries and their attempts. */
export async function deleteWebhook(db: Executor, organizationId: number, id: string): Promise<boolean> {
  const result = await db.deleteFrom('webhooks').where('organizationId', '=', organizationId).where('id', '=', id).executeTakeFirst();
  return result.numDeletedRows > 0n;
}

/** Enabled again, with its run of failures forgotten; its pending deliveries go out again. */
export async function enableWebhook(db: Executor, organizationId: number, id: string): Promise<WebhookRow | undefined> {
  return db
    .updateTable('webhooks')
    .set({ disabledAt: null, disabledReason: null, consecutiveFailures: 0, failingSince: null, updatedAt: new Date() })
    .where('organizationId', '=', organizationId)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
}

/** The organization's enabled endpoints subscribed to `type`: where an event may go. */
export async function subscribedWebhooks(db: Executor, organizationId: number, type: WebhookEventType): Promise<WebhookRow[]> {
  return db
    .selectFrom('webhooks')
    .selectAll()
    .where('organizationId', '=', organizationId)
    .where('disabledAt', 'is', null)
    .where(sql<SqlBool>`${sql.ref('eventTypes')} @> array[${type}]::text[]`)
    .orderBy('createdAt')
    .orderBy('id')
    .execute();
}

/** The disable rule (README "Webhooks"): both thresholds, failures in a row and time since the first. */
export interface DisableRule {
  afterFailures: number;
  afterHours: number;
}

/** A success ends the endpoint's run of failures. */
export async function noteEndpointSuccess(db: Executor, id: string): Promise<void> {
  await db.updateTable('webhooks').set({ consecutiveFailures: 0, failingSince: null }).where('id', '=', id).where('consecutiveFailures', '>', 0).execute();
}

/**
 * A failure extends the run; once it is both `afterFailures` attempts long and `afterHours` old,
 * the endpoint is disabled (in the same statement, so two replicas agree). Answers whether this
 * failure disabled it.
 */
export async function noteEndpointFailure(db: Executor, id: string, rule: DisableRule): Promise<boolean> {
  const reason = `Disabled after ${rule.afterFailures} or more failed attempts in a row over at least ${rule.afterHours} h (WEBHOOK_DISABLE_AFTER_FAILURES, WEBHOOK_DISABLE_AFTER_HOURS): fix the endpoint, then enableWebhook.`;
  const due = sql<SqlBool>`disabled_at is null and consecutive_failures + 1 >= ${rule.afterFailures}
    and coalesce(failing_since, now()) <= now() - make_interval(hours => ${rule.afterHours})`;
  const row = await db
    .updateTable('webhooks')
    .set({
      consecutiveFailures: sql<number>`consecutive_failures + 1`,
      failingSince: sql<Date>`coalesce(failing_since, now())`,
      disabledAt: sql<Date | null>`case when ${due} then now() else disabled_at end`,
      disabledReason: sql<string | null>`case when ${due} then ${reason} else disabled_reason end`,
    })
    .where('id', '=', id)
    // RETURNING sees the new row: disabled by this statement when disabled_at is this transaction's now().
    .returning(sql<boolean>`coalesce(disabled_at = now(), false)`.as('disabledNow'))
    .executeTakeFirst();
  return row?.disabledNow === true;
}
