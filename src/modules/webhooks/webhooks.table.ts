import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';
import type { TokenScopePermission } from '../../authz/entity-permissions.js';

/** The events an endpoint can subscribe to, as the `type` of their payload. */
export const WEBHOOK_EVENT_TYPES = ['execution.finished', 'hitl.requested', 'deployment.finished'] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

export type WebhookDeliveryStatus = 'PENDING' | 'DELIVERED' | 'FAILED';

/** An HTTPS endpoint of an organization, and who registered it. */
export interface WebhooksTable {
  /** Chosen by the application: the secret's ciphertext is bound to it. */
  id: string;
  organizationId: number;
  url: string;
  description: ColumnType<string, string | undefined, never>;
  eventTypes: ColumnType<WebhookEventType[], WebhookEventType[], never>;
  /** The `whsec_…` signing secret, sealed (src/crypto/secret-box.ts). */
  secretCiphertext: ColumnType<Buffer, Buffer, never>;
  registeredByUserId: ColumnType<string | null, string | null, never>;
  registeredByServiceAccountId: ColumnType<string | null, string | null, never>;
  /** The registering API token's scope (SPEC §6); null for an unscoped credential. */
  scopeAutomationIds: ColumnType<string[] | null, string[] | null | undefined, never>;
  scopePermissions: ColumnType<TokenScopePermission[] | null, TokenScopePermission[] | null | undefined, never>;
  disabledAt: ColumnType<Date | null, never, Date | null>;
  disabledReason: ColumnType<string | null, never, string | null>;
  consecutiveFailures: ColumnType<number, never, number>;
  failingSince: ColumnType<Date | null, never, Date | null>;
  createdAt: ColumnType<Date, never, never>;
  updatedAt: ColumnType<Date, never, Date>;
}

/** The outbox: one event for one endpoint, written in the transaction of the event. */
export interface WebhookDeliveriesTable {
  /** Also the `webhook-id` header. */
  id: Generated<string>;
  webhookId: string;
  organizationId: number;
  eventType: WebhookEventType;
  eventKey: string;
  automationId: string | null;
  /** The exact JSON body that is signed and sent. */
  payload: string;
  status: ColumnType<WebhookDeliveryStatus, WebhookDeliveryStatus | undefined, WebhookDeliveryStatus>;
  attemptCount: ColumnType<number, never, number>;
  nextAttemptAt: ColumnType<Date, Date | undefined, Date>;
  /** Retries go on for WEBHOOK_RETRY_WINDOW_SECONDS from here: the write, or the latest replay. */
  retryWindowStartedAt: ColumnType<Date, never, Date>;
  lockedUntil: ColumnType<Date | null, never, Date | null>;
  leaseToken: ColumnType<string | null, never, string | null>;
  lastStatusCode: ColumnType<number | null, never, number | null>;
  lastError: ColumnType<string | null, never, string | null>;
  deliveredAt: ColumnType<Date | null, never, Date | null>;
  createdAt: ColumnType<Date, never, never>;
}

/** One try to send a delivery, whatever came of it. */
export interface WebhookAttemptsTable {
  id: Generated<string>;
  deliveryId: string;
  attemptNumber: number;
  succeeded: boolean;
  statusCode: number | null;
  error: string | null;
  /** The start of the receiver's answer, at most 1 KiB. */
  responseBody: string | null;
  durationMs: number;
  /** When the attempt started. */
  createdAt: ColumnType<Date, Date, never>;
}

export type WebhookRow = Selectable<WebhooksTable>;
export type NewWebhook = Insertable<WebhooksTable>;
export type WebhookDeliveryRow = Selectable<WebhookDeliveriesTable>;
export type NewWebhookDelivery = Insertable<WebhookDeliveriesTable>;
export type WebhookAttemptRow = Selectable<WebhookAttemptsTable>;
export type NewWebhookAttempt = Insertable<WebhookAttemptsTable>;
