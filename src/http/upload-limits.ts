import crypto from 'node:crypto';
import type { UploadConfig } from '../config.js';
import { LimitCode, LimitError, limitResponseBody } from '../graphql/limits/index.js';
import type { LimitInfo } from '../graphql/limits/limit-error.js';
import type { ArchiveStorage } from '../modules/archives/archives.repository.js';
import type { Refusal } from './rate-limit/fixed-window.js';

// Issue 15 §2: uploads bounded in rate (src/http/rate-limit.ts, shared through Redis), in how many
// are in progress at once (here, per process) and in the bytes an organization stores.

/**
 * What a refused upload answers: the upload endpoint's `{error, message}`, and with it the body
 * /graphql gives for the same limit (`errors[0].extensions.code` and `.limit`), so that a client
 * handles a 429 from either alike.
 */
export interface LimitRefusal {
  status: number;
  error: string;
  message: string;
  extra: Record<string, unknown>;
  headers: Record<string, string>;
}

function refusal(error: LimitError, status: number, requestId: string, headers: Record<string, string> = {}): LimitRefusal {
  return { status, error: error.code, message: error.message, extra: limitResponseBody(error, requestId), headers };
}

/** A refusal by the rate limits: 429 RATE_LIMITED with Retry-After, as /graphql's. */
export function uploadRateRefusal(rate: Refusal, requestId: string): LimitRefusal {
  const setting = rate.limit === 'uploadsPerOrganization' ? 'UPLOAD_RATE_LIMIT_PER_ORGANIZATION' : 'UPLOAD_RATE_LIMIT_PER_TOKEN';
  const whose = rate.limit === 'uploadsPerOrganization' ? 'this organization' : 'this credential';
  const error = new LimitError(
    LimitCode.RATE_LIMITED,
    { name: rate.limit === 'uploadsPerOrganization' ? 'uploadsPerOrganization' : 'uploadsPerToken', max: rate.max },
    `Rate limit ${rate.limit}: at most ${rate.max} archive uploads per ${rate.windowSeconds} s for ${whose} (${setting}). Retry after ${rate.retryAfterSeconds} s.`,
    429,
  );
  return refusal(error, 429, requestId, { 'retry-after': String(rate.retryAfterSeconds) });
}

/**
 * How long a client refused for concurrency waits: about what an upload at ZIP_MAX_BYTES takes to
 * arrive, be inspected and be stored on a good connection, so that a slot has likely come free.
 */
export const UPLOAD_SLOT_RETRY_AFTER_SECONDS = 5;

type SlotLimit = 'uploadsInProgressPerToken' | 'uploadsInProgressPerOrganization' | 'uploadsInProgress';

const SLOT_LIMITS: Record<SlotLimit, { setting: string; whose: string }> = {
  uploadsInProgressPerToken: { setting: 'UPLOAD_CONCURRENCY_PER_TOKEN', whose: 'with this credential' },
  uploadsInProgressPerOrganization: { setting: 'UPLOAD_CONCURRENCY_PER_ORGANIZATION', whose: 'to this organization' },
  uploadsInProgress: { setting: 'UPLOAD_CONCURRENCY', whose: 'on this server' },
};

export interface UploadSlot {
  /** Gives the slot back; once, however often it is called. */
  release(): void;
}

/**
 * Uploads in progress in this process, per credential, per organization and in all. An upload
 * holds its whole body in memory until it is stored, so the cap in all is what bounds this
 * process's memory (UPLOAD_CONCURRENCY × ZIP_MAX_BYTES); the other two keep one client or one
 * organization from taking every slot. Counted per process, not in Redis: memory is per process.
 */
export class UploadSlots {
  private readonly perToken = new Map<string, number>();
  private readonly perOrganization = new Map<number, number>();
  private total = 0;

  constructor(private readonly config: Pick<UploadConfig, 'concurrentPerToken' | 'concurrentPerOrganization' | 'concurrent'>) {}

  /** Takes a slot for an upload with `credential` to `organizationId`, or names the cap that is full. */
  take(credential: string, organizationId: number): UploadSlot | { limit: SlotLimit; max: number } {
    // A digest, as for the rate limits: the token itself is not kept.
    const token = crypto.createHash('sha256').update(credential).digest('hex');
    const { concurrentPerToken, concurrentPerOrganization, concurrent } = this.config;
    if ((this.perToken.get(token) ?? 0) >= concurrentPerToken) return { limit: 'uploadsInProgressPerToken', max: concurrentPerToken };
    if ((this.perOrganization.get(organizationId) ?? 0) >= concurrentPerOrganization)
      return { limit: 'uploadsInProgressPerOrganization', max: concurrentPerOrganization };
    if (this.total >= concurrent) return { limit: 'uploadsInProgress', max: concurrent };
    adjust(this.perToken, token, 1);
    adjust(this.perOrganization, organizationId, 1);
    this.total += 1;
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        adjust(this.perToken, token, -1);
        adjust(this.perOrganization, organizationId, -1);
        this.total -= 1;
      },
    };
  }

  /** Uploads in progress now, in this process. */
  get inProgress(): number {
    return this.total;
  }
}

function adjust<K>(counts: Map<K, number>, key: K, by: number): void {
  const next = (counts.get(key) ?? 0) + by;
  // Keys at zero are dropped: the maps hold only uploads in progress, however many clients came.
  if (next <= 0) counts.delete(key);
  else counts.set(key, next);
}

/** A refusal by a concurrency cap: 429 RATE_LIMITED with Retry-After, like the rate limits. */
export function uploadSlotRefusal(full: { limit: SlotLimit; max: number }, requestId: string): LimitRefusal {
  const { setting, whose } = SLOT_LIMITS[full.limit];
  const error = new LimitError(
    LimitCode.RATE_LIMITED,
    { name: full.limit, max: full.max },
    `Concurrency limit ${full.limit}: at most ${full.max} archive uploads in progress at once ${whose} (${setting}). Wait for one to finish; retry after ${UPLOAD_SLOT_RETRY_AFTER_SECONDS} s.`,
    429,
  );
  return refusal(error, 429, requestId, { 'retry-after': String(UPLOAD_SLOT_RETRY_AFTER_SECONDS) });
}

const MIB = 1024 * 1024;

/** Bytes for a person: MiB with one decimal past 1 MiB, else bytes. */
function size(bytes: number): string {
  return bytes >= MIB ? `${(bytes / MIB).toFixed(1)} MiB` : `${bytes} bytes`;
}

/**
 * A refusal by the organization's storage quota (ARCHIVE_QUOTA_BYTES): 413
 * ARCHIVE_QUOTA_EXCEEDED saying what is stored, what of it will be freed and when, and what else
 * frees room.
 */
export function archiveQuotaRefusal(
  storage: ArchiveStorage,
  uploadBytes: number,
  limits: { quotaBytes: number; retentionHours: number },
  requestId: string,
): LimitRefusal {
  const { storedBytes, unusedBytes, oldestUnusedAt } = storage;
  const limit: LimitInfo = { name: 'archiveBytesPerOrganization', max: limits.quotaBytes, actual: storedBytes + uploadBytes };
  const freed =
    unusedBytes === 0
      ? 'Every stored archive has a deployment made from it, and those are kept with their deployment history.'
      : limits.retentionHours === 0
        ? `${size(unusedBytes)} of it are archives no deployment was made from; this server keeps them (ARCHIVE_RETENTION_HOURS=0).`
        : `${size(unusedBytes)} of it are archives no deployment was made from, deleted ${limits.retentionHours} h after upload (ARCHIVE_RETENTION_HOURS)${
            oldestUnusedAt ? `, the first at ${new Date(oldestUnusedAt.getTime() + limits.retentionHours * 3_600_000).toISOString()}` : ''
          }.`;
  const error = new LimitError(
    LimitCode.ARCHIVE_QUOTA_EXCEEDED,
    limit,
    `This organization stores ${size(storedBytes)} of automation archives; this upload of ${size(uploadBytes)} would pass its quota of ${size(limits.quotaBytes)} (ARCHIVE_QUOTA_BYTES). ${freed} ` +
      'To make room: deploy from the archives you have already uploaded instead of uploading them again, wait for unused ones to be deleted, leave dependencies and build output out of the zip, deploy from a connected Git repository, or ask the operator to raise ARCHIVE_QUOTA_BYTES.',
    413,
  );
  return refusal(error, 413, requestId);
}
