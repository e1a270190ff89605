import { sha256Hex, SHA256_HEX } from './document-hash.js';

/** The request fields that name the document, from a POST body or a GET query string. */
export interface DocumentFields {
  query?: unknown;
  documentId?: unknown;
  extensions?: unknown;
}

/** What the request asks to run, before the registry is consulted. */
export type OperationRequest =
  | { kind: 'hash'; sha256: string }
  | { kind: 'text'; query: string }
  | { kind: 'none' }
  | { kind: 'malformed'; message: string };

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const absent = (value: unknown) => value === undefined || value === null;

const HASH_HINT = "the 64 lowercase hex digits of the document's SHA-256";

/** `extensions.persistedQuery` (Apollo APQ): the hash, nothing, or what is wrong with it. */
function persistedQueryHash(extensions: unknown): string | undefined | { problem: string } {
  if (absent(extensions)) return undefined;
  if (!isRecord(extensions)) return { problem: '`extensions` must be a JSON object.' };
  const persisted = extensions.persistedQuery;
  if (absent(persisted)) return undefined;
  if (!isRecord(persisted)) return { problem: '`extensions.persistedQuery` must be an object: {"version": 1, "sha256Hash": "<hex>"}.' };
  if (persisted.version !== 1) return { problem: '`extensions.persistedQuery.version` must be 1, the only version of Apollo persisted queries.' };
  const hash = persisted.sha256Hash;
  if (typeof hash !== 'string' || !SHA256_HEX.test(hash)) return { problem: `\`extensions.persistedQuery.sha256Hash\` must be ${HASH_HINT}.` };
  return hash;
}

/** `documentId` (GraphQL over HTTP, persisted documents appendix): `sha256:<hex>` or bare hex. */
function documentIdHash(documentId: unknown): string | undefined | { problem: string } {
  if (absent(documentId)) return undefined;
  const hash = typeof documentId === 'string' ? documentId.replace(/^sha256:/, '') : undefined;
  if (hash === undefined || !SHA256_HEX.test(hash)) return { problem: `\`documentId\` must be "sha256:" followed by ${HASH_HINT}.` };
  return hash;
}

/**
 * Reads which document a request names: by hash (APQ extension or documentId, with or without its
 * text) or by text alone. A hash sent with text must be that text's hash, as in Apollo's APQ:
 * otherwise a registered hash could carry any query.
 */
export function readOperationRequest(fields: DocumentFields): OperationRequest {
  if (!absent(fields.query) && typeof fields.query !== 'string') return { kind: 'malformed', message: '`query` must be a string.' };
  const query = typeof fields.query === 'string' && fields.query !== '' ? fields.query : undefined;
  const fromExtension = persistedQueryHash(fields.extensions);
  if (typeof fromExtension === 'object') return { kind: 'malformed', message: fromExtension.problem };
  const fromDocumentId = documentIdHash(fields.documentId);
  if (typeof fromDocumentId === 'object') return { kind: 'malformed', message: fromDocumentId.problem };
  if (fromExtension !== undefined && fromDocumentId !== undefined && fromExtension !== fromDocumentId) {
    return { kind: 'malformed', message: '`documentId` and `extensions.persistedQuery.sha256Hash` name different documents: send one of them.' };
  }
  const sha256 = fromExtension ?? fromDocumentId;
  if (sha256 === undefined) return query === undefined ? { kind: 'none' } : { kind: 'text', query };
  if (query !== undefined && sha256Hex(query) !== sha256) {
    return { kind: 'malformed', message: `The hash ${sha256} is not the SHA-256 of \`query\`: send the hash alone, or the query with its own hash.` };
  }
  return { kind: 'hash', sha256 };
}
