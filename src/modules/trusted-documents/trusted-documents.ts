import type { Db } from '../../db/database.js';
import { DocumentCache } from './document-cache.js';
import { sha256Hex } from './document-hash.js';
import { isRecord, readOperationRequest, type DocumentFields } from './operation-request.js';
import { bodyWithBareApqHash, bodyWithDocument, searchFields, searchWithBareApqHash, searchWithDocument } from './request-rewrite.js';
import { findTrustedDocument } from './trusted-documents.repository.js';

/** The codes of a refused request, in `extensions.code`; part of the API. */
export enum TrustedDocumentCode {
  /** Enforce mode, and the request names no registered document (unregistered text, or nothing). */
  TRUSTED_DOCUMENT_REQUIRED = 'TRUSTED_DOCUMENT_REQUIRED',
  /** Enforce mode, and no document is registered under the hash the request sends. */
  TRUSTED_DOCUMENT_NOT_FOUND = 'TRUSTED_DOCUMENT_NOT_FOUND',
  /** A documentId or persistedQuery extension that cannot be read, or a hash that is not its query's. */
  BAD_REQUEST = 'BAD_REQUEST',
}

export type DocumentResolution =
  /** Run this: `body` for a POST, `search` (the URL's `?…`) for a GET; only the document fields change. */
  { kind: 'ok'; body: unknown; search: string } | { kind: 'refused'; status: number; code: TrustedDocumentCode; message: string };

type Refusal = Extract<DocumentResolution, { kind: 'refused' }>;
type Lookup = { kind: 'found'; text: string } | Refusal;

const REGISTER_HINT = "Register it with `gatehouse documents register` (the client's persisted-documents.json, or .graphql files) first.";

function refused(code: TrustedDocumentCode, message: string): Refusal {
  return { kind: 'refused', status: 400, code, message };
}

/**
 * Trusted documents (README "Trusted documents and persisted queries"). Off: the request passes
 * to Apollo's automatic persisted queries, unchanged but for a `sha256:` prefix on its APQ hash. Enforce: only registered documents run;
 * a request names one by hash (Apollo's persistedQuery extension, or GraphQL over HTTP's
 * `documentId`) or by its exact text, and reaches Apollo as a plain `query` with the registered text.
 */
export class TrustedDocuments {
  private readonly cache = new DocumentCache();

  constructor(
    readonly db: Db,
    private readonly mode: 'off' | 'enforce',
  ) {}

  /**
   * `body` is the parsed JSON of a POST (or '' for a GET); `search` the URL's query string, where a
   * GET carries its operation. A JSON object body is the operation; otherwise the query string is.
   */
  async resolve(body: unknown, search = ''): Promise<DocumentResolution> {
    if (this.mode === 'off') return { kind: 'ok', body: bodyWithBareApqHash(body), search: searchWithBareApqHash(search) };
    if (isRecord(body)) {
      const found = await this.lookup(body);
      return found.kind === 'found' ? { kind: 'ok', body: bodyWithDocument(body, found.text), search } : found;
    }
    const params = new URLSearchParams(search);
    const fields = searchFields(params);
    if ('problem' in fields) return refused(TrustedDocumentCode.BAD_REQUEST, fields.problem);
    const found = await this.lookup(fields);
    return found.kind === 'found' ? { kind: 'ok', body, search: searchWithDocument(params, fields, found.text) } : found;
  }

  private async lookup(fields: DocumentFields): Promise<Lookup> {
    const request = readOperationRequest(fields);
    switch (request.kind) {
      case 'malformed':
        return refused(TrustedDocumentCode.BAD_REQUEST, request.message);
      case 'none':
        return refused(
          TrustedDocumentCode.TRUSTED_DOCUMENT_REQUIRED,
          'Only registered operations run on this gateway (TRUSTED_DOCUMENTS=enforce): send a registered document by its hash (extensions.persistedQuery.sha256Hash or documentId) or its exact registered text.',
        );
      case 'text': {
        const text = await this.find(sha256Hex(request.query));
        if (text !== undefined) return { kind: 'found', text };
        return refused(
          TrustedDocumentCode.TRUSTED_DOCUMENT_REQUIRED,
          `Only registered operations run on this gateway (TRUSTED_DOCUMENTS=enforce), and this query text is not registered. ${REGISTER_HINT}`,
        );
      }
      case 'hash': {
        const text = await this.find(request.sha256);
        if (text !== undefined) return { kind: 'found', text };
        return refused(TrustedDocumentCode.TRUSTED_DOCUMENT_NOT_FOUND, `No trusted document has the hash ${request.sha256}. ${REGISTER_HINT}`);
      }
      default: {
        const unreachable: never = request;
        throw new Error(`unhandled operation request ${JSON.stringify(unreachable)}`);
      }
    }
  }

  private async find(sha256: string): Promise<string | undefined> {
    const cached = this.cache.get(sha256);
    if (cached !== undefined) return cached;
    const text = await findTrustedDocument(this.db, sha256);
    if (text !== undefined) this.cache.set(sha256, text);
    return text;
  }
}
