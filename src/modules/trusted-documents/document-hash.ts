import crypto from 'node:crypto';

/** 64 lowercase hex digits: how trusted documents are keyed (Apollo APQ and GraphQL over HTTP agree). */
export const SHA256_HEX = /^[0-9a-f]{64}$/;

// GraphQL over HTTP's persisted-documents appendix names a document `sha256:<hex>`, and
// @graphql-codegen's client preset (6.x) writes its hashes that way, in persisted-documents.json
// and in each document's `__meta__.hash`, which urql's persistedExchange then sends as
// `extensions.persistedQuery.sha256Hash`. Apollo's APQ link sends the bare hex.
const PREFIX = 'sha256:';

/** The lowercase hex SHA-256 of the text's UTF-8 bytes, as Apollo's APQ link and @graphql-codegen compute it. */
export function sha256Hex(text: string): string {
  return crypto.createHash('sha256').update(text, 'utf8').digest('hex');
}

/**
 * The bare hex of a document hash given as `sha256:<hex>` or `<hex>`, the form the registry
 * stores; undefined when it is neither (another algorithm, upper case, wrong length).
 */
export function bareSha256(hash: string): string | undefined {
  const hex = hash.startsWith(PREFIX) ? hash.slice(PREFIX.length) : hash;
  return SHA256_HEX.test(hex) ? hex : undefined;
}
