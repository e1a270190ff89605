import type { SecretBox } from '../../crypto/secret-box.js';
import type { EnvVarRow } from './env-vars.table.js';

/** AES-GCM associated data: a ciphertext copied into another row or organization does not open. */
export const valueContext = (organizationId: number, id: string) => `env_vars.value:${organizationId}:${id}`;

/** The plain value, for the API (to managers) and for the automation's Kubernetes Secret. */
export function openEnvVarValue(secrets: SecretBox, row: EnvVarRow): string {
  return secrets.open(Buffer.from(row.valueCiphertext), valueContext(row.organizationId, row.id));
}
