import type { Db } from '../../db/database.js';

// PLACEHOLDER (issue 6, trusted documents): replaced by the registry lookup.

export type DocumentResolution =
  | { kind: 'ok'; body: unknown }
  | { kind: 'refused'; status: number; code: string; message: string };

/** In `enforce` mode, swaps a registered hash for its document and refuses anything unregistered. */
export class TrustedDocuments {
  constructor(
    readonly db: Db,
    private readonly mode: 'off' | 'enforce',
  ) {}

  async resolve(body: unknown): Promise<DocumentResolution> {
    if (this.mode === 'off') return { kind: 'ok', body };
    return { kind: 'refused', status: 400, code: 'TRUSTED_DOCUMENT_REQUIRED', message: 'Not built yet.' };
  }
}
