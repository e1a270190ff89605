import { randomUUID } from 'node:crypto';
import { BadUserInputError, ConflictError, NotFoundError } from '../../errors.js';
import type { GraphQLContext } from '../../graphql/context.js';
import type { Resolvers, WebhookEventType as WebhookEventEnum } from '../../graphql/generated/resolvers-types.js';
import { parseOrganizationId } from '../../graphql/ids.js';
import { loadFound, pageOf } from '../../graphql/resource-helpers.js';
import { optionalText } from '../../graphql/validate.js';
import { countAttempts, countDeliveries, listAttempts, listDeliveries, replayDelivery, replayFailedDeliveries } from './deliveries.repository.js';
import { EVENT_NEEDS, scopeCovers } from './registrant-access.js';
import { generateWebhookSecret, secretContext } from './webhook-secrets.js';
import { checkTarget, TargetRefused } from './webhook-target.js';
import { webhookViewer } from './webhook-viewer.js';
import { countWebhooks, deleteWebhook, enableWebhook, insertWebhook, listWebhooks } from './webhooks.repository.js';
import type { WebhookEventType, WebhookRow } from './webhooks.table.js';

const EVENT_TYPE: Record<WebhookEventEnum, WebhookEventType> = {
  EXECUTION_FINISHED: 'execution.finished',
  HITL_REQUESTED: 'hitl.requested',
  DEPLOYMENT_FINISHED: 'deployment.finished',
};
const EVENT_ENUM = Object.fromEntries(Object.entries(EVENT_TYPE).map(([name, type]) => [type, name])) as Record<WebhookEventType, WebhookEventEnum>;

/** The events, each checked against a scoped token's permissions: an event it could never receive is refused. */
function eventTypes(ctx: GraphQLContext, events: readonly WebhookEventEnum[]): WebhookEventType[] {
  if (events.length === 0) {
    throw new BadUserInputError('events must name at least one of EXECUTION_FINISHED, HITL_REQUESTED, DEPLOYMENT_FINISHED.', { field: 'events' });
  }
  const scope = ctx.authz.principal?.scope;
  for (const event of events) {
    const needs = EVENT_NEEDS[EVENT_TYPE[event]];
    if (scope && !needs.some((action) => scopeCovers(scope.permissions, action))) {
      throw new BadUserInputError(
        `events: ${event} needs ${needs.join(' or ')} in the API token's scope, which has ${scope.permissions.join(', ')}; leave it out or use a token whose scope includes it.`,
        { field: 'events' },
      );
    }
  }
  return [...new Set(events.map((event) => EVENT_TYPE[event]))];
}

/** The URL, checked as the worker will check it at every attempt (webhook-target.ts). */
async function targetUrl(ctx: GraphQLContext, raw: string): Promise<string> {
  const url = raw.trim();
  try {
    await checkTarget(url, ctx.config.webhooks);
  } catch (error) {
    if (error instanceof TargetRefused) throw new BadUserInputError(`url ${error.message}.`, { field: 'url' });
    throw error;
  }
  return url;
}

async function loadWebhook(ctx: GraphQLContext, rawId: string): Promise<WebhookRow> {
  return loadFound(ctx.loaders.webhooks, rawId, 'Webhook');
}

function enabledOrConflict(hook: WebhookRow): void {
  if (hook.disabledAt)
    throw new ConflictError(`Webhook "${hook.id}" is disabled (${hook.disabledReason ?? 'its attempts kept failing'}); enableWebhook first, then replay.`);
}

export const webhooksResolvers: Resolvers = {
  Organization: {
    webhooks: async (org, args, ctx) => {
      const viewer = await webhookViewer(ctx, org.id);
      if (!viewer) throw new NotFoundError('Organization', org.id);
      return pageOf(
        args,
        ctx,
        (page) => listWebhooks(ctx.db, viewer, page),
        () => countWebhooks(ctx.db, viewer),
      );
    },
    // The rule decided on the endpoint by its own organization; here it must also be this one's.
    webhook: async (org, { id }, ctx) => {
      const hook = await loadWebhook(ctx, id);
      if (hook.organizationId !== org.id) throw new NotFoundError('Webhook', id);
      return hook;
    },
    webhookDelivery: async (org, { id }, ctx) => {
      const delivery = await loadFound(ctx.loaders.webhookDeliveries, id, 'WebhookDelivery');
      if (delivery.organizationId !== org.id) throw new NotFoundError('WebhookDelivery', id);
      return delivery;
    },
  },
  Mutation: {
    createWebhook: async (_root, { organizationId, input }, ctx) => {
      const orgId = parseOrganizationId(organizationId);
      const principal = ctx.authz.principal;
      if (orgId === null || !principal) throw new NotFoundError('Organization', organizationId);
      const events = eventTypes(ctx, input.events);
      const description = optionalText(input.description, 'description', 500) ?? '';
      const url = await targetUrl(ctx, input.url);
      const id = randomUUID();
      const secret = generateWebhookSecret();
      const webhook = await insertWebhook(ctx.db, {
        id,
        organizationId: orgId,
        url,
        description,
        eventTypes: events,
        secretCiphertext: ctx.secrets.seal(secret, secretContext(orgId, id)),
        registeredByUserId: principal.kind === 'user' ? principal.userId : null,
        registeredByServiceAccountId: principal.kind === 'service_account' ? principal.serviceAccountId : null,
        scopeAutomationIds: principal.scope ? [...principal.scope.automationIds] : null,
        scopePermissions: principal.scope ? [...principal.scope.permissions] : null,
      });
      return { webhook, secret };
    },
    deleteWebhook: async (_root, { id }, ctx) => {
      const hook = await loadWebhook(ctx, id);
      if (!(await deleteWebhook(ctx.db, hook.organizationId, hook.id))) throw new NotFoundError('Webhook', id);
      ctx.loaders.webhooks.clear(hook.id);
      return hook.id;
    },
    enableWebhook: async (_root, { id }, ctx) => {
      const hook = await loadWebhook(ctx, id);
      const enabled = await enableWebhook(ctx.db, hook.organizationId, hook.id);
      if (!enabled) throw new NotFoundError('Webhook', id);
      ctx.loaders.webhooks.clear(hook.id);
      return enabled;
    },
    replayWebhookDelivery: async (_root, { id }, ctx) => {
      const delivery = await loadFound(ctx.loaders.webhookDeliveries, id, 'WebhookDelivery');
      enabledOrConflict(await loadWebhook(ctx, delivery.webhookId));
      const replayed = await replayDelivery(ctx.db, delivery.organizationId, delivery.id);
      if (!replayed) throw new NotFoundError('WebhookDelivery', id);
      ctx.loaders.webhookDeliveries.clear(delivery.id);
      return replayed;
    },
    replayFailedWebhookDeliveries: async (_root, { webhookId, since }, ctx) => {
      const hook = await loadWebhook(ctx, webhookId);
      enabledOrConflict(hook);
      return replayFailedDeliveries(ctx.db, hook.id, since);
    },
  },
  Webhook: {
    events: (hook) => hook.eventTypes.map((type) => EVENT_ENUM[type]),
    registeredBy: (hook) =>
      hook.registeredByServiceAccountId
        ? { principalType: 'SERVICE_ACCOUNT', principalId: hook.registeredByServiceAccountId }
        : { principalType: 'USER', principalId: hook.registeredByUserId ?? '' },
    scope: (hook) => (hook.scopeAutomationIds && hook.scopePermissions ? { automationIds: hook.scopeAutomationIds, permissions: hook.scopePermissions } : null),
    enabled: (hook) => hook.disabledAt === null,
    deliveries: (hook, args, ctx) => {
      const status = args.status ?? null;
      return pageOf(
        args,
        ctx,
        (page) => listDeliveries(ctx.db, hook.id, status, page),
        () => countDeliveries(ctx.db, hook.id, status),
      );
    },
  },
  WebhookRegistrant: {
    displayName: async (registrant, _args, ctx) => {
      const row =
        registrant.principalType === 'USER'
          ? await ctx.loaders.users.load(registrant.principalId)
          : await ctx.loaders.serviceAccounts.load(registrant.principalId);
      return row?.name ?? '';
    },
  },
  WebhookDelivery: {
    event: (delivery) => EVENT_ENUM[delivery.eventType],
    payload: (delivery) => JSON.parse(delivery.payload) as Record<string, unknown>,
    nextAttemptAt: (delivery) => (delivery.status === 'PENDING' ? delivery.nextAttemptAt : null),
    retryUntil: (delivery, _args, ctx) => new Date(delivery.retryWindowStartedAt.getTime() + ctx.config.webhooks.retryWindowSeconds * 1000),
    attempts: (delivery, args, ctx) =>
      pageOf(
        args,
        ctx,
        (page) => listAttempts(ctx.db, delivery.id, page),
        () => countAttempts(ctx.db, delivery.id),
      ),
  },
  WebhookAttempt: {
    attemptedAt: (attempt) => attempt.createdAt,
  },
};
