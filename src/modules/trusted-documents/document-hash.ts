import crypto from 'node:crypto';

/** 64 lowercase hex digits: how trusted documents are keyed (Apollo APQ and GraphQL over HTTP agree). */
export const SHA256_HEX = /^[0-9a-f]{64}$/;

/** The lowercase hex SHA-256 of the text's UTF-8 bytes, as Apollo's APQ link and @graphql-codegen compute it. */
export function sha256Hex(text: string): string {
  return crypto.createHash('sha256').update(text, 'utf8').digest('hex');
}
