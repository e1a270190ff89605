import crypto from 'node:crypto';
import type { SecretBox } from '../../crypto/secret-box.js';
import type { WebhookRow } from './webhooks.table.js';

/** AES-GCM associated data: a ciphertext copied into another row or organization does not open. */
export const secretContext = (organizationId: number, id: string) => `webhooks.secret:${organizationId}:${id}`;

/**
 * A new signing secret in the Standard Webhooks form: `whsec_` and 32 random bytes in base64.
 * Shown once, at creation; stored sealed.
 */
export function generateWebhookSecret(): string {
  return `whsec_${crypto.randomBytes(32).toString('base64')}`;
}

export function openWebhookSecret(secrets: SecretBox, row: Pick<WebhookRow, 'id' | 'organizationId' | 'secretCiphertext'>): string {
  return secrets.open(Buffer.from(row.secretCiphertext), secretContext(row.organizationId, row.id));
}
