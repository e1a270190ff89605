/**
 * Found documents by hash, least recently used dropped first. Safe to keep forever because a
 * registered document never changes (the migration ties the hash to the text). Misses are not
 * kept: a document registered a moment ago, by any replica's CLI, must work at once.
 */
export class DocumentCache {
  private readonly entries = new Map<string, string>();

  constructor(private readonly maxEntries = 5_000) {}

  get(sha256: string): string | undefined {
    const document = this.entries.get(sha256);
    if (document !== undefined) {
      // A Map iterates in insertion order: re-inserting moves the entry to the young end.
      this.entries.delete(sha256);
      this.entries.set(sha256, document);
    }
    return document;
  }

  set(sha256: string, document: string): void {
    this.entries.delete(sha256);
    this.entries.set(sha256, document);
    if (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
  }

  get size(): number {
    return this.entries.size;
  }
}
