import type { SecretBox } from '../../crypto/secret-box.js';
import type { LlmConnectionRow } from './llm-connections.table.js';

/** AES-GCM associated data: a ciphertext copied into another row or organization does not open. */
export const apiKeyContext = (organizationId: number, id: string) => `llm_connections.api_key:${organizationId}:${id}`;

/** The plain key: only ever for the automation's Kubernetes Secret, never for the API. */
export function openApiKey(secrets: SecretBox, row: LlmConnectionRow): string {
  return secrets.open(Buffer.from(row.apiKeyCiphertext), apiKeyContext(row.organizationId, row.id));
}
