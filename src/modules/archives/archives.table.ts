import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';

export interface AutomationArchivesTable {
  id: Generated<string>;
  organizationId: number;
  sha256: string;
  sizeBytes: number;
  content: Buffer;
  uploadedByUserId: string | null;
  createdAt: ColumnType<Date, never, never>;
}

export type ArchiveRow = Selectable<AutomationArchivesTable>;
export type NewArchive = Insertable<AutomationArchivesTable>;
