import { bareSha256 } from './document-hash.js';
import { isRecord, type DocumentFields } from './operation-request.js';

// What Apollo receives once a request's document is resolved: `query` is the registered text, and
// neither `documentId` nor the persistedQuery extension is left, so Apollo (whose APQ is off in
// enforce mode) never sees a hash.

function withoutPersistedQuery(extensions: unknown): Record<string, unknown> | undefined {
  if (!isRecord(extensions)) return undefined;
  const { persistedQuery: _persistedQuery, ...rest } = extensions;
  return Object.keys(rest).length > 0 ? rest : undefined;
}

/** A POST body with its document resolved to `text`; variables, operationName and other extensions kept. */
export function bodyWithDocument(body: Record<string, unknown>, text: string): Record<string, unknown> {
  const { documentId: _documentId, extensions, ...rest } = body;
  const remaining = withoutPersistedQuery(extensions);
  return { ...rest, query: text, ...(remaining ? { extensions: remaining } : {}) };
}

const SEARCH_FIELDS = ['query', 'documentId', 'extensions'] as const;

/** The document fields of a GET query string (`?query=…&extensions=…`), or what is wrong with them. */
export function searchFields(params: URLSearchParams): DocumentFields | { problem: string } {
  for (const name of SEARCH_FIELDS) {
    if (params.getAll(name).length > 1) return { problem: `\`${name}\` is given more than once in the query string: give it once.` };
  }
  const extensions = params.get('extensions');
  let parsed: unknown;
  if (extensions !== null) {
    try {
      parsed = JSON.parse(extensions);
    } catch {
      return { problem: '`extensions` in the query string must be JSON, e.g. {"persistedQuery":{"version":1,"sha256Hash":"<hex>"}}.' };
    }
  }
  return { query: params.get('query') ?? undefined, documentId: params.get('documentId') ?? undefined, extensions: parsed };
}

/** A GET query string with its document resolved to `text`, in the form `?query=…`. */
export function searchWithDocument(params: URLSearchParams, fields: DocumentFields, text: string): string {
  const next = new URLSearchParams(params);
  next.set('query', text);
  next.delete('documentId');
  const remaining = withoutPersistedQuery(fields.extensions);
  if (remaining) next.set('extensions', JSON.stringify(remaining));
  else next.delete('extensions');
  return `?${next.toString()}`;
}

// Off mode passes requests to Apollo, whose APQ keys documents by the bare hex and checks a sent
// `query` against it. A client-preset document's hash arrives as `sha256:<hex>` (urql sends its
// `__meta__.hash`), which Apollo would never find, and would call a mismatch once the text comes.

/** The extensions with a `sha256:` APQ hash made bare; undefined when there is nothing to change. */
function withBareApqHash(extensions: unknown): Record<string, unknown> | undefined {
  if (!isRecord(extensions) || !isRecord(extensions.persistedQuery)) return undefined;
  const hash = extensions.persistedQuery.sha256Hash;
  if (typeof hash !== 'string' || !hash.startsWith('sha256:')) return undefined;
  const bare = bareSha256(hash);
  // A malformed hash is left for Apollo to refuse, with its own message.
  if (bare === undefined) return undefined;
  return { ...extensions, persistedQuery: { ...extensions.persistedQuery, sha256Hash: bare } };
}

/** A POST body for Apollo's APQ: the same, with a `sha256:` persisted-query hash made bare. */
export function bodyWithBareApqHash(body: unknown): unknown {
  const extensions = isRecord(body) ? withBareApqHash(body.extensions) : undefined;
  return isRecord(body) && extensions ? { ...body, extensions } : body;
}

/** A GET query string for Apollo's APQ: the same, with a `sha256:` persisted-query hash made bare. */
export function searchWithBareApqHash(search: string): string {
  const params = new URLSearchParams(search);
  const raw = params.get('extensions');
  if (raw === null || params.getAll('extensions').length > 1) return search;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return search; // Apollo answers it as the bad request it is.
  }
  const extensions = withBareApqHash(parsed);
  if (!extensions) return search;
  params.set('extensions', JSON.stringify(extensions));
  return `?${params.toString()}`;
}
