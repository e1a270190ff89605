import type { Executor } from '../../db/database.js';
import { auditEntryHash } from './audit-hash.js';
import { listAuditChains, readAuditChain } from './audit.repository.js';
import type { AuditEntryRow } from './audit.table.js';

/** Where a chain stops being the one that was written, and how. */
export interface ChainBreak {
  /**
   * `changed`: the entry's columns no longer give its hash, or its hash was rewritten (the next
   * entry still holds the old one). `removed`: entries are missing before this one.
   */
  kind: 'changed' | 'removed';
  /** The entry named: the changed one, or for `removed` the first one still there after the gap. */
  entryId: string;
  /** Its position in the chain; for `removed`, the position of the first missing entry. */
  chainSeq: number;
  /** What did not match, for a person. */
  detail: string;
}

export interface ChainReport {
  /** null: the chain of entries without an organization. */
  organizationId: number | null;
  /** Entries read up to the first break, or all of them. */
  entries: number;
  /** The hash of the last entry: record it elsewhere to notice later that the newest entries were removed. */
  lastHash: string | null;
  broken: ChainBreak | null;
}

export interface VerifyReport {
  verified: boolean;
  entries: number;
  chains: ChainReport[];
}

const PAGE = 1_000;

function check(row: AuditEntryRow, expectedSeq: number, previous: AuditEntryRow | null): ChainBreak | null {
  if (row.chainSeq > expectedSeq) {
    const missing = row.chainSeq - expectedSeq === 1 ? `entry #${expectedSeq} is` : `entries #${expectedSeq} to #${row.chainSeq - 1} are`;
    return { kind: 'removed', entryId: row.id, chainSeq: expectedSeq, detail: `${missing} missing before entry #${row.chainSeq} (${row.id}): removed` };
  }
  if (row.chainSeq < expectedSeq) {
    return {
      kind: 'changed',
      entryId: row.id,
      chainSeq: row.chainSeq,
      detail: `its position #${row.chainSeq} repeats one already in the chain: its chain_seq was changed`,
    };
  }
  const ownHashHolds = auditEntryHash(row) === row.hash;
  const expectedPrev = previous?.hash ?? null;
  if (row.prevHash !== expectedPrev) {
    // The link is broken. If this entry still matches its own hash, the one before it was changed
    // and given a new hash; otherwise this entry was changed (its prev_hash is among its columns).
    if (ownHashHolds && previous) {
      return {
        kind: 'changed',
        entryId: previous.id,
        chainSeq: previous.chainSeq,
        detail: `its hash is not the one entry #${row.chainSeq} (${row.id}) recorded as its predecessor's: it was changed and its hash recomputed`,
      };
    }
    return {
      kind: 'changed',
      entryId: row.id,
      chainSeq: row.chainSeq,
      detail: `its prev_hash is not the hash of ${previous ? `entry #${previous.chainSeq} (${previous.id})` : 'nothing (it is first)'}: it was changed`,
    };
  }
  if (!ownHashHolds) {
    return {
      kind: 'changed',
      entryId: row.id,
      chainSeq: row.chainSeq,
      detail: 'its columns (action, actor, target, before, after, request, time) no longer give its hash: it was changed after it was written',
    };
  }
  return null;
}

/** Recomputes one chain from its first entry and stops at the first one that does not match. */
export async function verifyAuditChain(db: Executor, organizationId: number | null): Promise<ChainReport> {
  let previous: AuditEntryRow | null = null;
  let entries = 0;
  for (;;) {
    const page = await readAuditChain(db, organizationId, previous?.chainSeq ?? 0, PAGE);
    for (const row of page) {
      const broken = check(row, (previous?.chainSeq ?? 0) + 1, previous);
      if (broken) return { organizationId, entries, lastHash: null, broken };
      entries++;
      previous = row;
    }
    if (page.length < PAGE) return { organizationId, entries, lastHash: previous?.hash ?? null, broken: null };
  }
}

/**
 * `gatehouse audit verify [--org ID]`: every chain, or one organization's. Removing the newest
 * entries of a chain leaves a shorter chain that still verifies; the reported last hashes, kept
 * outside the database, are what shows that.
 */
export async function verifyAuditChains(db: Executor, organizationId?: number): Promise<VerifyReport> {
  const keys = organizationId === undefined ? await listAuditChains(db) : [organizationId];
  const chains: ChainReport[] = [];
  for (const key of keys) chains.push(await verifyAuditChain(db, key));
  return { verified: chains.every((c) => c.broken === null), entries: chains.reduce((sum, c) => sum + c.entries, 0), chains };
}
