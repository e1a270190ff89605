import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256Hex } from '../../src/modules/trusted-documents/document-hash.js';
import { TrustedDocuments } from '../../src/modules/trusted-documents/trusted-documents.js';
import { createOrg, type OrgFixture } from '../support/fixtures.js';
import { startTestGateway, type TestGateway } from '../support/harness.js';
import { apq, expectViewerEmail, post, VIEWER_EMAIL } from './trusted-documents-helpers.js';

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

  it('passes the request to Apollo untouched', async () => {
    const body = { documentId: 'not even a hash', extensions: 'not an object' };
    await expect(new TrustedDocuments(gw.db, 'off').resolve(body, '?query=x')).resolves.toEqual({ kind: 'ok', body, search: '?query=x' });
  });
});
