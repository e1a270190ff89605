import type { Db } from '../../db/database.js';
import { byIdLoader } from '../../graphql/by-id-loader.js';
import { findDeliveriesByIds } from './deliveries.repository.js';
import { findWebhooksByIds } from './webhooks.repository.js';

export function createWebhookLoaders(db: Db) {
  return {
    webhooks: byIdLoader((ids: readonly string[]) => findWebhooksByIds(db, ids)),
    webhookDeliveries: byIdLoader((ids: readonly string[]) => findDeliveriesByIds(db, ids)),
  };
}
