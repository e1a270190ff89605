import type { ColumnType } from 'kysely';

/** Operators of the whole instance: feature flags, the list of organization namespaces. */
export interface InstanceAdminsTable {
  userId: string;
  createdAt: ColumnType<Date, never, never>;
}
