import { pino } from 'pino';
import type { WebhookConfig } from '../../src/config.js';
import { SecretBox } from '../../src/crypto/secret-box.js';
import { WebhookWorker } from '../../src/modules/webhooks/index.js';
import { expectAllowed } from './expect.js';
import type { TestGateway } from './harness.js';

/**
 * Settings for tests with a local receiver: private targets and plain http allowed (the receiver
 * listens on 127.0.0.1), no background worker (tests run passes with `runOnce`), short retries.
 */
export const WEBHOOK_TEST_ENV: Record<string, string> = {
  WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true',
  WEBHOOK_ALLOW_HTTP: 'true',
  WEBHOOK_WORKER_INTERVAL_MS: '0',
  WEBHOOK_RETRY_BASE_MS: '40',
  WEBHOOK_RETRY_MAX_DELAY_MS: '80',
  WEBHOOK_TIMEOUT_MS: '3000',
};

export const CREATE_WEBHOOK = `mutation($o: ID!, $input: CreateWebhookInput!) {
  createWebhook(organizationId: $o, input: $input) { secret webhook { id url events enabled registeredBy { principalType principalId displayName } scope { automationIds permissions } } }
}`;

export interface CreatedHook {
  id: string;
  secret: string;
}

export async function createWebhook(
  gw: TestGateway,
  token: string,
  organizationId: number,
  url: string,
  events: string[],
  description?: string,
): Promise<CreatedHook> {
  const data = await expectAllowed<{ createWebhook: { secret: string; webhook: { id: string } } }>(gw, token, CREATE_WEBHOOK, {
    o: String(organizationId),
    input: { url, events, ...(description ? { description } : {}) },
  });
  return { id: data.createWebhook.webhook.id, secret: data.createWebhook.secret };
}

/** A worker on the gateway's database, as a replica's (src/main.ts) would run, with settings overridden. */
export function webhookWorker(gw: TestGateway, overrides: Partial<WebhookConfig> = {}): WebhookWorker {
  return new WebhookWorker({
    db: gw.db,
    secrets: new SecretBox(gw.secretKey),
    config: { ...gw.config.webhooks, ...overrides },
    logger: pino({ level: 'silent' }),
  });
}

const DELIVERY_FIELDS = 'id event status attemptCount nextAttemptAt retryUntil lastStatusCode lastError deliveredAt createdAt payload';

const WEBHOOK = `query($o: ID!, $id: ID!) { organization(id: $o) { webhook(id: $id) { id enabled disabledAt disabledReason consecutiveFailures failingSince
  deliveries(first: 100) { totalCount edges { node { ${DELIVERY_FIELDS} } } } } } }`;

const DELIVERY = `query($o: ID!, $id: ID!) { organization(id: $o) { webhookDelivery(id: $id) { ${DELIVERY_FIELDS}
  attempts(first: 100) { totalCount edges { node { attemptNumber attemptedAt durationMs statusCode succeeded error responseBody } } } } } }`;

export interface AttemptView {
  attemptNumber: number;
  attemptedAt: string;
  durationMs: number;
  statusCode: number | null;
  succeeded: boolean;
  error: string | null;
  responseBody: string | null;
}

export interface DeliveryView {
  id: string;
  event: string;
  status: string;
  attemptCount: number;
  nextAttemptAt: string | null;
  retryUntil: string;
  lastStatusCode: number | null;
  lastError: string | null;
  deliveredAt: string | null;
  createdAt: string;
  payload: { type: string; timestamp: string; data: Record<string, unknown> };
}

export interface WebhookView {
  id: string;
  enabled: boolean;
  disabledAt: string | null;
  disabledReason: string | null;
  consecutiveFailures: number;
  failingSince: string | null;
  /** Newest first. */
  deliveries: { totalCount: number; edges: Array<{ node: DeliveryView }> };
}

/** One endpoint with its deliveries, through the API. */
export async function readWebhook(gw: TestGateway, token: string, organizationId: number, id: string): Promise<WebhookView> {
  const data = await expectAllowed<{ organization: { webhook: WebhookView } }>(gw, token, WEBHOOK, { o: String(organizationId), id });
  return data.organization.webhook;
}

/** One delivery with its attempts, in order, through the API. */
export async function readDelivery(gw: TestGateway, token: string, organizationId: number, id: string): Promise<DeliveryView & { attempts: AttemptView[] }> {
  const data = await expectAllowed<{ organization: { webhookDelivery: DeliveryView & { attempts: { edges: Array<{ node: AttemptView }> } } } }>(
    gw,
    token,
    DELIVERY,
    {
      o: String(organizationId),
      id,
    },
  );
  const delivery = data.organization.webhookDelivery;
  return { ...delivery, attempts: delivery.attempts.edges.map((edge) => edge.node) };
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs passes until one claims something (the delivery's backoff has passed), at most `timeoutMs`. */
export async function passWhenDue(worker: WebhookWorker, timeoutMs = 5_000): Promise<Awaited<ReturnType<WebhookWorker['runOnce']>>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const result = await worker.runOnce();
    if (result.claimed > 0 || Date.now() > deadline) return result;
    await sleep(20);
  }
}
