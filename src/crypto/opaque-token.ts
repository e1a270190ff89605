import crypto from 'node:crypto';

/**
 * API tokens (SPEC §1): `gth_` and 43 base64url characters (256 random bits). Only the SHA-256
 * of the whole token is stored; a fast hash is right for secrets of this entropy.
 */
export const TOKEN_PREFIX = 'gth_';
const TOKEN_PATTERN = /^gth_[A-Za-z0-9_-]{43}$/;

export function generateToken(): { token: string; hash: Buffer; displayPrefix: string } {
  const token = TOKEN_PREFIX + crypto.randomBytes(32).toString('base64url');
  return { token, hash: hashToken(token), displayPrefix: token.slice(0, 10) };
}

/**
 * Ingest tokens: what a deployed automation presents to report spans and raise human-in-the-loop
 * requests (`ghi_`, 256 random bits). One per deployment, carried by its Kubernetes Secret.
 */
export const INGEST_TOKEN_PREFIX = 'ghi_';
const INGEST_TOKEN_PATTERN = /^ghi_[A-Za-z0-9_-]{43}$/;

export function generateIngestToken(): { token: string; hash: Buffer } {
  const token = INGEST_TOKEN_PREFIX + crypto.randomBytes(32).toString('base64url');
  return { token, hash: hashToken(token) };
}

export function looksLikeIngestToken(value: string): boolean {
  return INGEST_TOKEN_PATTERN.test(value);
}

export function looksLikeApiToken(value: string): boolean {
  return TOKEN_PATTERN.test(value);
}

export function hashToken(token: string): Buffer {
  return crypto.createHash('sha256').update(token, 'utf8').digest();
}
