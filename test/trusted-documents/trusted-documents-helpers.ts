import { expect } from 'vitest';
import { sha256Hex } from '../../src/modules/trusted-documents/document-hash.js';
import { insertTrustedDocuments } from '../../src/modules/trusted-documents/trusted-documents.repository.js';
import type { GqlResponse, TestGateway } from '../support/harness.js';

export const VIEWER_EMAIL = 'query ViewerEmail { viewer { user { email } } }';

/** A persisted-query extension as Apollo's link sends it. */
export const apq = (sha256: string) => ({ persistedQuery: { version: 1, sha256Hash: sha256 } });

/** Registers the document as `gatehouse documents register` would; returns its hash. */
export async function register(gw: TestGateway, text: string): Promise<string> {
  const sha256 = sha256Hex(text);
  await insertTrustedDocuments(gw.db, [{ sha256, document: text, operationName: null, clientName: 'test' }]);
  return sha256;
}

function parse(status: number, raw: string): GqlResponse<Record<string, unknown>> {
  const parsed = JSON.parse(raw) as { data?: Record<string, unknown> | null; errors?: GqlResponse<unknown>['errors'] };
  return { status, data: parsed.data ?? null, errors: parsed.errors ?? [], raw };
}

/** POSTs any JSON body (a hash, a documentId, a malformed extension) to the gateway. */
export async function post(gw: TestGateway, token: string, body: unknown): Promise<GqlResponse<Record<string, unknown>>> {
  const response = await fetch(gw.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  });
  return parse(response.status, await response.text());
}

/** GETs `/graphql?…` with these parameters; the preflight header satisfies Apollo's CSRF prevention. */
export async function get(gw: TestGateway, token: string, params: Record<string, string>): Promise<GqlResponse<Record<string, unknown>>> {
  const url = `${gw.url}?${new URLSearchParams(params).toString()}`;
  const response = await fetch(url, { headers: { authorization: `Bearer ${token}`, 'apollo-require-preflight': 'true' } });
  return parse(response.status, await response.text());
}

/** The viewer's email came back, with no error. */
export function expectViewerEmail(response: GqlResponse<Record<string, unknown>>, email: string | null): void {
  expect(response.errors, response.raw).toEqual([]);
  expect(response.status).toBe(200);
  expect(response.data).toEqual({ viewer: { user: { email } } });
}

/** Refused before execution: this status and code, no data, and a message that says what to do. */
export function expectRefused(response: GqlResponse<Record<string, unknown>>, status: number, code: string, messagePart?: string): void {
  expect(response.status, response.raw).toBe(status);
  expect(response.data).toBeNull();
  expect(response.errors).toHaveLength(1);
  expect(response.errors[0]?.extensions?.code).toBe(code);
  if (messagePart) expect(response.errors[0]?.message).toContain(messagePart);
}
