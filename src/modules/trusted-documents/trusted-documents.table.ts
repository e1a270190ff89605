import type { ColumnType, Insertable, Selectable } from 'kysely';

/** A registered operation document; immutable, keyed by the SHA-256 of its exact text. */
export interface TrustedDocumentsTable {
  /** Lowercase hex SHA-256 of `document` (UTF-8); the database checks that it is. */
  sha256: string;
  document: string;
  /** The document's operation names joined by ", "; null when it has only anonymous ones. */
  operationName: string | null;
  /** `gatehouse documents register --client NAME`; the first registration's name stays. */
  clientName: string | null;
  createdAt: ColumnType<Date, never, never>;
}

export type TrustedDocumentRow = Selectable<TrustedDocumentsTable>;
export type NewTrustedDocument = Insertable<TrustedDocumentsTable>;
