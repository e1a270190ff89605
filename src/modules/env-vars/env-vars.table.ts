import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';

export interface EnvVarsTable {
  /** Chosen by the application: the ciphertext is bound to it (AES-GCM associated data). */
  id: string;
  organizationId: number;
  name: string;
  valueCiphertext: Buffer;
  accessRestricted: Generated<boolean>;
  createdAt: ColumnType<Date, never, never>;
  updatedAt: ColumnType<Date, never, Date>;
}

export type EnvVarRow = Selectable<EnvVarsTable>;
export type NewEnvVar = Insertable<EnvVarsTable>;
