import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';

/**
 * The Studio definition a deployment runs, frozen at deploy time (SPEC §7): editing or deleting the
 * project later changes no deployed version, and redeploy and rollback reuse the same row.
 */
export interface StudioDefinitionSnapshotsTable {
  id: Generated<string>;
  organizationId: number;
  studioProjectId: string | null;
  projectName: string;
  /** The exact bytes served to the runtime (application/json); `sha256` is over them. */
  document: string;
  sha256: string;
  createdAt: ColumnType<Date, never, never>;
}

export type StudioSnapshotRow = Selectable<StudioDefinitionSnapshotsTable>;
export type NewStudioSnapshot = Insertable<StudioDefinitionSnapshotsTable>;
