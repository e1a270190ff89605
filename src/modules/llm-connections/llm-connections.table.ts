import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';

export type LlmProvider = 'OPENAI' | 'ANTHROPIC' | 'AZURE_OPENAI' | 'GOOGLE' | 'BEDROCK' | 'OLLAMA' | 'OTHER';

export interface LlmConnectionsTable {
  /** Chosen by the application: the API key's ciphertext is bound to it. */
  id: string;
  organizationId: number;
  name: string;
  provider: LlmProvider;
  baseUrl: string | null;
  defaultModel: string | null;
  apiKeyCiphertext: Buffer;
  apiKeyHint: string;
  accessRestricted: Generated<boolean>;
  createdAt: ColumnType<Date, never, never>;
  updatedAt: ColumnType<Date, never, Date>;
}

export type LlmConnectionRow = Selectable<LlmConnectionsTable>;
export type NewLlmConnection = Insertable<LlmConnectionsTable>;
