import type { Executor } from '../../db/database.js';
import { UnreachableCaseError } from '../../errors.js';
import type { DeploymentRow } from '../deployments/deployments.table.js';
import type { ExecutionRow } from '../executions/executions.table.js';
import type { HitlRequestRow } from '../hitl/hitl.table.js';
import { insertDeliveries } from './deliveries.repository.js';
import { hooksAllowed } from './registrant-access.js';
import { subscribedWebhooks } from './webhooks.repository.js';
import type { WebhookEventType } from './webhooks.table.js';

/** Something that happened, as the module where it happened has it. */
export type WebhookEvent =
  | { type: 'execution.finished'; execution: ExecutionRow }
  | { type: 'hitl.requested'; request: HitlRequestRow }
  | { type: 'deployment.finished'; deployment: DeploymentRow };

interface Described {
  organizationId: number;
  automationId: string;
  /** One delivery per endpoint and key, however often the event is reported. */
  key: string;
  /** The payload's `timestamp`: when it happened. */
  at: Date;
  data: Record<string, unknown>;
}

const iso = (date: Date | null) => (date ? date.toISOString() : null);

/** The event's payload data (README "Webhooks"), or null when it has not happened (yet). */
function describe(event: WebhookEvent): Described | null {
  switch (event.type) {
    case 'execution.finished': {
      const e = event.execution;
      if (e.status !== 'SUCCEEDED' && e.status !== 'FAILED') return null;
      return {
        organizationId: e.organizationId,
        automationId: e.automationId,
        key: `execution.finished:${e.id}`,
        at: e.finishedAt ?? new Date(),
        data: {
          organizationId: String(e.organizationId),
          automationId: e.automationId,
          executionId: e.id,
          status: e.status,
          error: e.error,
          createdAt: iso(e.createdAt),
          finishedAt: iso(e.finishedAt),
        },
      };
    }
    case 'hitl.requested': {
      const r = event.request;
      return {
        organizationId: r.organizationId,
        automationId: r.automationId,
        key: `hitl.requested:${r.id}`,
        at: r.createdAt,
        data: {
          organizationId: String(r.organizationId),
          automationId: r.automationId,
          hitlRequestId: r.id,
          executionId: r.executionId,
          question: r.question,
          createdAt: iso(r.createdAt),
          expiresAt: iso(r.expiresAt),
        },
      };
    }
    case 'deployment.finished': {
      const d = event.deployment;
      if (d.status === 'PENDING' || d.status === 'PROVISIONING') return null;
      return {
        organizationId: d.organizationId,
        automationId: d.automationId,
        // A deploy recorded FAILED by a shutdown that later completes reports both outcomes.
        key: `deployment.finished:${d.id}:${d.status}`,
        at: d.finishedAt ?? new Date(),
        data: {
          organizationId: String(d.organizationId),
          automationId: d.automationId,
          deploymentId: d.id,
          version: d.version,
          status: d.status,
          message: d.message,
          retryable: d.retryable,
          finishedAt: iso(d.finishedAt),
        },
      };
    }
    default:
      throw new UnreachableCaseError(event);
  }
}

/**
 * Writes the event's deliveries to the outbox, in the caller's transaction (the transaction of
 * the event itself): one per enabled endpoint of the organization subscribed to the event whose
 * registrant may see it (registrant-access.ts). Nothing is sent here; the worker
 * (webhook-worker.ts) sends after the commit, so an event that rolls back is never delivered and
 * one that commits is never lost. Costs one indexed query when no endpoint is subscribed.
 */
export async function enqueueWebhookEvent(trx: Executor, event: WebhookEvent): Promise<void> {
  const described = describe(event);
  if (!described) return;
  const type: WebhookEventType = event.type;
  const hooks = await subscribedWebhooks(trx, described.organizationId, type);
  if (hooks.length === 0) return;
  const allowed = await hooksAllowed(trx, hooks, type, described.automationId);
  const payload = JSON.stringify({ type, timestamp: described.at.toISOString(), data: described.data });
  await insertDeliveries(
    trx,
    allowed.map((hook) => ({
      webhookId: hook.id,
      organizationId: described.organizationId,
      eventType: type,
      eventKey: described.key,
      automationId: described.automationId,
      payload,
    })),
  );
}
