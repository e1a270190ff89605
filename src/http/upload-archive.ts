import crypto from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { featureDecision, scopedTokenRefusal } from '../authz/guards.js';
import { NotFoundError, UnauthenticatedError } from '../errors.js';
import type { GraphQLContext } from '../graphql/context.js';
import { parseOrganizationId } from '../graphql/ids.js';
import { archiveStorage, insertArchiveWithinQuota, storedArchiveBytes } from '../modules/archives/archives.repository.js';
import { inspectArchive } from '../modules/archives/inspect-archive.js';
import type { RateLimiter } from './rate-limit.js';
import { declaredLength, PayloadTooLargeError, readBodyBytes } from './read-body.js';
import { archiveQuotaRefusal, uploadRateRefusal, uploadSlotRefusal, type UploadSlots } from './upload-limits.js';

export const ARCHIVE_UPLOAD_PATH = '/uploads/automation-archives';

const WHAT = 'Uploading an automation archive';

interface UploadError {
  status: number;
  error: string;
  message: string;
  extra?: Record<string, unknown>;
  headers?: Record<string, string>;
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify(body));
}

function isZipContentType(header: string | undefined): boolean {
  // Parameters (`; name=…`) are allowed; the media type is case-insensitive (RFC 9110 §8.3.1).
  return (header ?? '').split(';')[0]?.trim().toLowerCase() === 'application/zip';
}

async function authenticate(context: () => Promise<GraphQLContext>): Promise<GraphQLContext | UploadError> {
  try {
    const ctx = await context();
    if (ctx.authz.principal) return ctx;
    return { status: 401, error: 'UNAUTHENTICATED', message: new UnauthenticatedError().message };
  } catch (error) {
    if (error instanceof UnauthenticatedError) return { status: 401, error: 'UNAUTHENTICATED', message: error.message };
    throw error;
  }
}

/**
 * Everything that can be decided before reading a byte of the body, after authentication: member
 * (else NOT_FOUND, SPEC §1), then SPEC §4 "deploy from Zip" (crews_dashboards >= READ, zip
 * deployments not disabled by the organization), then the media type.
 */
async function admit(req: IncomingMessage, url: URL, ctx: GraphQLContext): Promise<number | UploadError> {
  const raw = url.searchParams.get('organizationId') ?? '';
  const organizationId = parseOrganizationId(raw);
  // A malformed id, another tenant's id and a nonexistent one answer alike.
  const notFound: UploadError = { status: 404, error: 'NOT_FOUND', message: new NotFoundError('Organization', raw).message };
  if (organizationId !== null) await ctx.authz.ensure(organizationId);
  if (organizationId === null || !ctx.authz.grant(organizationId)) return notFound;
  if (ctx.authz.tokenScope) return { status: 403, error: 'FORBIDDEN', message: scopedTokenRefusal(WHAT).message, extra: { tokenScope: true } };
  const decision = featureDecision(ctx, organizationId, 'crews_dashboards', 'READ', WHAT);
  if (decision !== true) {
    const level = ctx.authz.level(organizationId, 'crews_dashboards');
    return { status: 403, error: 'FORBIDDEN', message: decision.message, extra: { feature: 'crews_dashboards', requiredLevel: 'READ', level } };
  }
  const organization = await ctx.loaders.organizations.load(organizationId);
  if (!organization) return notFound;
  if (!organization.zipDeploymentsEnabled) {
    return {
      status: 403,
      error: 'FORBIDDEN',
      message:
        'Zip deployments are turned off for this organization (an organization setting, zipDeploymentsEnabled). Deploy from a connected Git repository, or ask someone with organization_settings: MANAGE to turn zip deployments on (Mutation.updateOrganizationSettings).',
    };
  }
  if (!isZipContentType(req.headers['content-type'])) {
    return {
      status: 415,
      error: 'UNSUPPORTED_MEDIA_TYPE',
      message: `Send the archive's raw bytes with "Content-Type: application/zip"; got ${JSON.stringify(req.headers['content-type'] ?? '')}.`,
    };
  }
  return organizationId;
}

async function readArchive(req: IncomingMessage, limit: number): Promise<Buffer | UploadError> {
  try {
    // One copy of the body, however it is sent (read-body.ts), and not streamed to storage: both
    // steps after this need it whole. yauzl reads the central directory at the end of the zip
    // first, then each entry where it says (random access), and nothing may be stored before every
    // entry passed. The archive is a bytea column, and a bytea parameter is one buffer for pg (it
    // copies it into the Bind message) and PGlite (into its WASM memory); chunked writes of bytea
    // (`content || $chunk`) rewrite the whole value each time. So memory is bounded by how many
    // uploads are in progress instead (UploadSlots, UPLOAD_CONCURRENCY): at most that many times
    // ZIP_MAX_BYTES, plus the driver's copy of those being stored.
    return await readBodyBytes(req, limit, { reserveLimit: true });
  } catch (error) {
    if (!(error instanceof PayloadTooLargeError)) throw error;
    return {
      status: 413,
      error: 'PAYLOAD_TOO_LARGE',
      message: `The archive is larger than the limit of ${limit} bytes (ZIP_MAX_BYTES). Leave dependencies and build output (node_modules, .venv, dist) out of the zip, or ask the operator to raise ZIP_MAX_BYTES.`,
      extra: { limit },
    };
  }
}

export interface UploadDeps {
  /** Builds the request's context (authentication) when the upload gets that far. */
  context: () => Promise<GraphQLContext>;
  requestId: string;
  rateLimiter: RateLimiter;
  slots: UploadSlots;
}

/**
 * `POST /uploads/automation-archives?organizationId=N` with the zip's raw bytes: plain HTTP rather
 * than GraphQL multipart, so that a client needs no multipart support and the body can be refused
 * at the size limit without buffering it. Answers 201 `{ id, sha256, sizeBytes }`; the id goes to
 * `deployAutomation`'s zip source. Nothing is stored unless every check passes. A refused archive
 * is 400 `BAD_USER_INPUT` with `reason` (src/modules/archives/archive-problem.ts) and, when they
 * apply, the `entry` at fault and the `limit` passed with its `limitName`.
 *
 * Issue 15 §2: once the caller may upload to the organization, the upload is counted against the
 * rate limits of its credential and organization, takes one of the slots of uploads in progress,
 * and is held to the organization's storage quota, from Content-Length before a byte is read and
 * from the stored total when it is stored (src/http/upload-limits.ts).
 */
export async function handleArchiveUpload(req: IncomingMessage, res: ServerResponse, url: URL, deps: UploadDeps): Promise<void> {
  const fail = (e: UploadError) => send(res, e.status, { error: e.error, message: e.message, ...e.extra }, e.headers);
  if (req.method !== 'POST') {
    return fail({
      status: 405,
      error: 'METHOD_NOT_ALLOWED',
      message: `POST the zip archive's bytes to ${ARCHIVE_UPLOAD_PATH}?organizationId=N.`,
      headers: { allow: 'POST' },
    });
  }
  const ctx = await authenticate(deps.context);
  if ('status' in ctx) return fail(ctx);
  const organizationId = await admit(req, url, ctx);
  if (typeof organizationId !== 'number') return fail(organizationId);
  // Authenticated, so the header is there. Counted only now: nobody can spend an organization's
  // budget without being allowed to upload to it.
  const credential = req.headers.authorization ?? '';
  const rate = await deps.rateLimiter.consumeUpload({ credential, organizationId });
  // A refusal before the body is read leaves the rest to src/http/unread-body.ts.
  if (!rate.allowed) return fail(uploadRateRefusal(rate, deps.requestId));
  const slot = deps.slots.take(credential, organizationId);
  if (!('release' in slot)) return fail(uploadSlotRefusal(slot, deps.requestId));
  try {
    await receive(req, res, ctx, organizationId, deps.requestId, fail);
  } finally {
    slot.release();
  }
}

/** From the quota on Content-Length to the stored archive: what an upload does while it holds a slot. */
async function receive(
  req: IncomingMessage,
  res: ServerResponse,
  ctx: GraphQLContext,
  organizationId: number,
  requestId: string,
  fail: (e: UploadError) => void,
): Promise<void> {
  const { quotaBytes, retentionHours } = ctx.config.uploads;
  const quotaRefusal = async (size: number) =>
    archiveQuotaRefusal(await archiveStorage(ctx.db, organizationId), size, { quotaBytes, retentionHours }, requestId);
  const declared = declaredLength(req);
  // Larger than ZIP_MAX_BYTES is refused as such by readArchive: the more basic of the two reasons.
  if (quotaBytes > 0 && declared !== undefined && declared <= ctx.config.zipMaxBytes) {
    if ((await storedArchiveBytes(ctx.db, organizationId)) + declared > quotaBytes) return fail(await quotaRefusal(declared));
  }
  const bytes = await readArchive(req, ctx.config.zipMaxBytes);
  if (!Buffer.isBuffer(bytes)) return fail(bytes);
  // Every entry is read before anything is stored: names, links, sizes and ratios (SPEC §7).
  const { zipMaxEntries: maxEntries, zipMaxUncompressedBytes: maxUncompressedBytes, zipMaxRatio: maxRatio } = ctx.config;
  const { problem, inflatedBytes } = await inspectArchive(bytes, { maxEntries, maxUncompressedBytes, maxRatio });
  if (problem) {
    const { message, ...extra } = problem;
    ctx.logger.info({ organizationId, reason: problem.reason, entry: problem.entry, sizeBytes: bytes.length, inflatedBytes }, 'automation archive refused');
    return fail({ status: 400, error: 'BAD_USER_INPUT', message, extra });
  }

  const sha256 = crypto.createHash('sha256').update(bytes).digest('hex');
  const values = { organizationId, sha256, sizeBytes: bytes.length, content: bytes, uploadedByUserId: ctx.authz.userId };
  const stored = await insertArchiveWithinQuota(ctx.db, values, quotaBytes);
  if (!('archive' in stored)) {
    ctx.logger.info({ organizationId, sizeBytes: bytes.length, storedBytes: stored.storedBytes, quotaBytes }, 'automation archive refused by the quota');
    return fail(await quotaRefusal(bytes.length));
  }
  const { archive } = stored;
  ctx.logger.info({ archiveId: archive.id, organizationId, sizeBytes: archive.sizeBytes }, 'automation archive uploaded');
  send(res, 201, { id: archive.id, sha256: archive.sha256, sizeBytes: archive.sizeBytes });
}
