import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256Hex } from '../../src/modules/trusted-documents/document-hash.js';
import { TrustedDocuments } from '../../src/modules/trusted-documents/trusted-documents.js';
import { createOrg, type OrgFixture } from '../support/fixtures.js';
import { startTestGateway, type TestGateway } from '../support/harness.js';
import { apq, expectViewerEmail, get, post, VIEWER_EMAIL } from './trusted-documents-helpers.js';

// TRUSTED_DOCUMENTS=off (the default): any document runs, and Apollo's automatic persisted
// queries save the text of what clients send by hash, in this process's memory.
let gw: TestGateway;
let org: OrgFixture;
beforeAll(async () => {
  gw = await startTestGateway();
  org = await createOrg(gw);
});
afterAll(async () => gw.close());

describe('off mode', () => {
  it('is the default', () => {
    expect(gw.config.trustedDocuments).toBe('off');
  });

  it('runs unregistered text', async () => {
    expectViewerEmail(await post(gw, org.owner.token, { query: VIEWER_EMAIL }), org.owner.email);
  });

  it('APQ round trip: an unknown hash is PERSISTED_QUERY_NOT_FOUND, hash and query run and store it, then the hash alone runs', async () => {
    const text = 'query ApqRoundTrip { viewer { user { email } } }';
    const hashOnly = { extensions: apq(sha256Hex(text)) };
    const first = await post(gw, org.owner.token, hashOnly);
    expect(first.data).toBeNull();
    expect(first.errors.map((e) => e.extensions?.code)).toEqual(['PERSISTED_QUERY_NOT_FOUND']);
    expectViewerEmail(await post(gw, org.owner.token, { query: text, ...hashOnly }), org.owner.email);
    expectViewerEmail(await post(gw, org.owner.token, hashOnly), org.owner.email);
  });

  // A client-preset document's hash is "sha256:<hex>"; Apollo's APQ keys by the bare hex and checks
  // a sent query against it, so the gateway strips the prefix before Apollo sees it.
  it('APQ round trip with a "sha256:" hash, by POST and by GET', async () => {
    const text = 'query PrefixedRoundTrip { viewer { user { email } } }';
    const prefixed = { extensions: apq(`sha256:${sha256Hex(text)}`) };
    expect((await post(gw, org.owner.token, prefixed)).errors.map((e) => e.extensions?.code)).toEqual(['PERSISTED_QUERY_NOT_FOUND']);
    expectViewerEmail(await post(gw, org.owner.token, { query: text, ...prefixed }), org.owner.email);
    expectViewerEmail(await post(gw, org.owner.token, prefixed), org.owner.email);
    expectViewerEmail(await get(gw, org.owner.token, { extensions: JSON.stringify(prefixed.extensions) }), org.owner.email);
    // Stored under the bare hex: a client sending that finds it too.
    expectViewerEmail(await post(gw, org.owner.token, { extensions: apq(sha256Hex(text)) }), org.owner.email);
  });

  it('a "sha256:" hash that is not the query\'s is still refused by Apollo', async () => {
    const response = await post(gw, org.owner.token, { query: VIEWER_EMAIL, extensions: apq(`sha256:${sha256Hex('something else')}`) });
    expect(response.status).toBe(400);
    expect(response.data).toBeNull();
  });

  it('rewrites only the prefix of the APQ hash, leaving everything else as sent', async () => {
    const hash = sha256Hex('x');
    const body = { query: 'x', extensions: { persistedQuery: { version: 1, sha256Hash: `sha256:${hash}` }, other: true }, variables: { a: 1 } };
    const search = `?${new URLSearchParams({ extensions: JSON.stringify(body.extensions), variables: '{}' }).toString()}`;
    const resolution = await new TrustedDocuments(gw.db, 'off').resolve(body, search);
    expect(resolution).toMatchObject({ kind: 'ok', body: { ...body, extensions: { persistedQuery: { version: 1, sha256Hash: hash }, other: true } } });
    const params = new URLSearchParams(resolution.kind === 'ok' ? resolution.search : '');
    expect(JSON.parse(params.get('extensions') ?? 'null')).toEqual({ persistedQuery: { version: 1, sha256Hash: hash }, other: true });
    expect(params.get('variables')).toBe('{}');
  });

  it('passes the request to Apollo untouched', async () => {
    const body = { documentId: 'not even a hash', extensions: 'not an object' };
    await expect(new TrustedDocuments(gw.db, 'off').resolve(body, '?query=x')).resolves.toEqual({ kind: 'ok', body, search: '?query=x' });
  });
});
