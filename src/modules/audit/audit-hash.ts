import crypto from 'node:crypto';

/**
 * The hash chain of the audit log (issue 15 §5): each entry stores the hash of its predecessor in
 * its organization's chain (entries without an organization form a chain of their own) and its own
 * hash over every other column. Who rewrites an entry, or removes one, breaks the chain there, and
 * `gatehouse audit verify` (audit-verify.ts) finds the place.
 *
 * The encoding is versioned: migrations/2026_12_10_100000_audit_chain.ts hashed the entries that
 * existed before the chain with this same function, so a change here needs a new version tag and a
 * verifier that still knows the old one.
 */
export const AUDIT_HASH_VERSION = 'gatehouse-audit-v1';

/** What an entry's hash covers: every column but the hash itself, as the database returns it. */
export interface ChainedEntry {
  id: string;
  organizationId: number | null;
  chainSeq: number;
  actorUserId: string | null;
  actorServiceAccountId: string | null;
  actorName: string;
  action: string;
  targetType: string;
  targetId: string | null;
  before: unknown;
  after: unknown;
  requestId: string;
  /** Millisecond precision, as the timestamptz(3) column keeps it, so that it hashes the same read back. */
  createdAt: Date;
  prevHash: string | null;
}

/**
 * JSON with object keys sorted at every level: jsonb keeps its own key order, which is not the one
 * an object was written with, so the hash must not depend on it.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map((item: unknown) => canonicalJson(item)).join(',')}]`;
  if (typeof value === 'object') {
    const fields = Object.entries(value)
      .filter(([, field]) => field !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([key, field]) => `${JSON.stringify(key)}:${canonicalJson(field)}`);
    return `{${fields.join(',')}}`;
  }
  if (typeof value === 'number' && !Number.isFinite(value)) return 'null';
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return JSON.stringify(value);
  // bigint, symbol, function: nothing a jsonb column or a row can hold.
  throw new TypeError(`An audit entry cannot hold a ${typeof value}.`);
}

const uuid = (value: string | null) => (value === null ? null : value.toLowerCase());

/** sha256, hex, over the canonical encoding of the entry's columns and its predecessor's hash. */
export function auditEntryHash(entry: ChainedEntry): string {
  const encoded = canonicalJson([
    AUDIT_HASH_VERSION,
    uuid(entry.id),
    entry.organizationId,
    entry.chainSeq,
    uuid(entry.actorUserId),
    uuid(entry.actorServiceAccountId),
    entry.actorName,
    entry.action,
    entry.targetType,
    entry.targetId,
    entry.before,
    entry.after,
    entry.requestId,
    entry.createdAt.toISOString(),
    entry.prevHash,
  ]);
  return crypto.createHash('sha256').update(encoded, 'utf8').digest('hex');
}
