import { ARCHIVE_UPLOAD_PATH } from '../../src/http/upload-archive.js';
import type { TestGateway } from './harness.js';

export interface UploadAnswer {
  status: number;
  body: Record<string, unknown>;
}

/** POSTs the bytes to the upload endpoint as a client would (README "Uploading a zip archive"). */
export async function uploadArchive(gw: TestGateway, token: string, organizationId: number, bytes: Buffer): Promise<UploadAnswer> {
  const url = new URL(ARCHIVE_UPLOAD_PATH, gw.url);
  url.searchParams.set('organizationId', String(organizationId));
  const response = await fetch(url, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/zip' }, body: bytes });
  const body: unknown = await response.json();
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new Error(`upload answered ${response.status} without a JSON object`);
  return { status: response.status, body: Object.fromEntries(Object.entries(body)) };
}

/** How many archives are stored, in every organization: a refusal must not change it. */
export async function archiveCount(gw: TestGateway): Promise<number> {
  const row = await gw.db
    .selectFrom('automationArchives')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .executeTakeFirstOrThrow();
  return Number(row.count);
}
