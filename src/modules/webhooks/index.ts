import type { GatehouseModule } from '../module.js';
import { webhooksResolvers } from './webhooks.resolvers.js';
import { webhooksAuthorization } from './webhooks.rules.js';

/**
 * Webhooks (issue 11 §6, SPEC §6): endpoints, the outbox and its worker. Other modules call
 * `enqueueWebhookEvent` inside the transaction of their event; src/main.ts runs the worker.
 */
export const webhooksModule: GatehouseModule = {
  name: 'webhooks',
  resolvers: webhooksResolvers,
  authorization: webhooksAuthorization,
};
export { enqueueWebhookEvent, type WebhookEvent } from './enqueue-event.js';
export { WebhookWorker, type PassResult } from './webhook-worker.js';
export { createWebhookLoaders } from './webhooks.loaders.js';
