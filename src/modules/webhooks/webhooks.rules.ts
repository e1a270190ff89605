import type { GraphQLResolveInfo } from 'graphql';
import type { ModuleAuthorization } from '../../authz/authorization-map.js';
import { fieldName, guard, type Decision } from '../../authz/guard.js';
import { featureDecision } from '../../authz/guards.js';
import { reaches, type Reach } from '../../authz/permission-set.js';
import { NotFoundError, UnauthenticatedError } from '../../errors.js';
import type { GraphQLContext } from '../../graphql/context.js';
import { parseOrganizationId, parseUuid } from '../../graphql/ids.js';
import { isWebhookReachable } from './webhooks.repository.js';
import type { WebhookRow } from './webhooks.table.js';
import { webhookViewer } from './webhook-viewer.js';

/**
 * Issue 11 §6: organization administrators (organization_settings: MANAGE) manage every endpoint
 * of their organization; a scoped API token (SPEC §6) registers its own and manages those its
 * principal registered within its scope (webhooks.repository.ts `reachable`). Everyone else is
 * refused as for any organization_settings field.
 */
const byLevel = reaches.feature('organization_settings', 'MANAGE');
const reach: Reach = (set) => byLevel(set) || (set.member && set.tokenScope !== null);

/** The decision on one endpoint: NOT_FOUND when the caller may not reach it, as for an id that does not exist. */
async function onWebhook(ctx: GraphQLContext, hook: WebhookRow, info: GraphQLResolveInfo, notFound: () => NotFoundError): Promise<Decision> {
  const viewer = await webhookViewer(ctx, hook.organizationId);
  if (!viewer) return notFound();
  if (viewer.administers) return true;
  if (viewer.tokenScope) return (await isWebhookReachable(ctx.db, hook.id, viewer)) ? true : notFound();
  return featureDecision(ctx, hook.organizationId, 'organization_settings', 'MANAGE', fieldName(info));
}

function inOrganization(source: 'parent.id' | 'args.organizationId') {
  return guard(
    `webhooks:${source}`,
    async (parent, args, ctx, info) => {
      if (!ctx.authz.principal) return new UnauthenticatedError();
      const raw = source === 'parent.id' ? (parent as { id?: unknown } | null)?.id : args.organizationId;
      const organizationId = parseOrganizationId(raw);
      const viewer = organizationId === null ? undefined : await webhookViewer(ctx, organizationId);
      if (organizationId === null || !viewer) return new NotFoundError('Organization', String(raw));
      if (viewer.administers || viewer.tokenScope) return true;
      return featureDecision(ctx, organizationId, 'organization_settings', 'MANAGE', fieldName(info));
    },
    reach,
  );
}

function webhookById(idArg: string) {
  return guard(
    `webhook:${idArg}`,
    async (_parent, args, ctx, info) => {
      if (!ctx.authz.principal) return new UnauthenticatedError();
      const raw = args[idArg];
      const notFound = () => new NotFoundError('Webhook', typeof raw === 'string' ? raw : '');
      const id = parseUuid(raw);
      const hook = id ? await ctx.loaders.webhooks.load(id) : null;
      return hook ? onWebhook(ctx, hook, info, notFound) : notFound();
    },
    reach,
  );
}

const deliveryById = guard(
  'webhookDelivery:id',
  async (_parent, args, ctx, info) => {
    if (!ctx.authz.principal) return new UnauthenticatedError();
    const notFound = () => new NotFoundError('WebhookDelivery', typeof args.id === 'string' ? args.id : '');
    const id = parseUuid(args.id);
    const delivery = id ? await ctx.loaders.webhookDeliveries.load(id) : null;
    const hook = delivery ? await ctx.loaders.webhooks.load(delivery.webhookId) : null;
    return hook ? onWebhook(ctx, hook, info, notFound) : notFound();
  },
  reach,
);

/** Fields of an endpoint the parent field already showed: checked again, they lead to its deliveries. */
const ofParentWebhook = guard(
  'webhook:parent',
  async (parent, _args, ctx, info) => {
    if (!ctx.authz.principal) return new UnauthenticatedError();
    const hook = parent as WebhookRow;
    return onWebhook(ctx, hook, info, () => new NotFoundError('Webhook', hook.id));
  },
  reach,
);

const ofParentDelivery = guard(
  'webhookDelivery:parent',
  async (parent, _args, ctx, info) => {
    if (!ctx.authz.principal) return new UnauthenticatedError();
    const { id, webhookId } = parent as { id: string; webhookId: string };
    const hook = await ctx.loaders.webhooks.load(webhookId);
    const notFound = () => new NotFoundError('WebhookDelivery', id);
    return hook ? onWebhook(ctx, hook, info, notFound) : notFound();
  },
  reach,
);

export const webhooksAuthorization: ModuleAuthorization = {
  rules: {
    Organization: { webhooks: inOrganization('parent.id'), webhook: webhookById('id'), webhookDelivery: deliveryById },
    Mutation: {
      createWebhook: inOrganization('args.organizationId'),
      deleteWebhook: webhookById('id'),
      enableWebhook: webhookById('id'),
      replayFailedWebhookDeliveries: webhookById('webhookId'),
      replayWebhookDelivery: deliveryById,
    },
    Webhook: { deliveries: ofParentWebhook },
    WebhookDelivery: { attempts: ofParentDelivery },
  },
  inherits: {
    Webhook: {
      fields: [
        'id',
        'url',
        'description',
        'events',
        'registeredBy',
        'scope',
        'enabled',
        'disabledAt',
        'disabledReason',
        'consecutiveFailures',
        'failingSince',
        'createdAt',
      ],
      reason:
        'settings of an endpoint the caller manages: every field returning a Webhook checks organization_settings: MANAGE or the scoped token it belongs to',
    },
    CreatedWebhook: { fields: ['webhook', 'secret'], reason: 'the result of createWebhook, returned once to the caller who registered it' },
    WebhookRegistrant: {
      fields: ['principalType', 'principalId', 'displayName'],
      reason: 'who registered an endpoint the caller manages (id and name, no email)',
      partOf: ['Webhook'],
    },
    WebhookScope: {
      fields: ['automationIds', 'permissions'],
      reason: 'the token scope an endpoint the caller manages was registered with',
      partOf: ['Webhook'],
    },
    WebhookDelivery: {
      fields: [
        'id',
        'webhookId',
        'event',
        'payload',
        'status',
        'attemptCount',
        'nextAttemptAt',
        'retryUntil',
        'lastStatusCode',
        'lastError',
        'deliveredAt',
        'createdAt',
      ],
      reason:
        'a delivery of an endpoint the caller manages (Webhook.deliveries and replayWebhookDelivery check it); its payload is what the registrant may see',
    },
    WebhookAttempt: {
      fields: ['id', 'attemptNumber', 'attemptedAt', 'durationMs', 'statusCode', 'succeeded', 'error', 'responseBody'],
      reason: 'an attempt of a delivery the caller may read (WebhookDelivery.attempts checks it)',
    },
    WebhookConnection: { fields: '*', reason: 'page of endpoints filtered in SQL by the same rule (webhooks.repository.ts reachable)' },
    WebhookEdge: { fields: '*', reason: 'edge of a WebhookConnection' },
    WebhookDeliveryConnection: { fields: '*', reason: 'page of deliveries of one endpoint; Webhook.deliveries checks the endpoint' },
    WebhookDeliveryEdge: { fields: '*', reason: 'edge of a WebhookDeliveryConnection' },
    WebhookAttemptConnection: { fields: '*', reason: 'page of attempts of one delivery; WebhookDelivery.attempts checks it' },
    WebhookAttemptEdge: { fields: '*', reason: 'edge of a WebhookAttemptConnection' },
  },
};
