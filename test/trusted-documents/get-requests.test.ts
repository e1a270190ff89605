import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TrustedDocuments } from '../../src/modules/trusted-documents/trusted-documents.js';
import { createOrg, type OrgFixture } from '../support/fixtures.js';
import { startTestGateway, type TestGateway } from '../support/harness.js';
import { apq, expectRefused, expectViewerEmail, get, register, VIEWER_EMAIL } from './trusted-documents-helpers.js';

// A GET carries its operation in the query string; in enforce mode the same rules apply to it,
// and it reaches Apollo as `?query=<registered text>` with the other parameters kept.
let gw: TestGateway;
let org: OrgFixture;
let viewerHash: string;
beforeAll(async () => {
  gw = await startTestGateway({ TRUSTED_DOCUMENTS: 'enforce' });
  org = await createOrg(gw);
  viewerHash = await register(gw, VIEWER_EMAIL);
});
afterAll(async () => gw.close());

describe('GET in enforce mode', () => {
  it('runs a registered hash, from the extensions parameter or documentId', async () => {
    expectViewerEmail(await get(gw, org.owner.token, { extensions: JSON.stringify(apq(viewerHash)) }), org.owner.email);
    expectViewerEmail(await get(gw, org.owner.token, { documentId: `sha256:${viewerHash}` }), org.owner.email);
  });

  it('runs registered text, and refuses unregistered text', async () => {
    expectViewerEmail(await get(gw, org.owner.token, { query: VIEWER_EMAIL }), org.owner.email);
    expectRefused(await get(gw, org.owner.token, { query: '{ viewer { user { id } } }' }), 400, 'TRUSTED_DOCUMENT_REQUIRED');
  });

  it('refuses an extensions parameter that is not JSON, and a parameter given twice', async () => {
    expectRefused(await get(gw, org.owner.token, { extensions: '{persistedQuery' }), 400, 'BAD_REQUEST', 'must be JSON');
    const twice = await fetch(`${gw.url}?documentId=${viewerHash}&documentId=${viewerHash}`, {
      headers: { authorization: `Bearer ${org.owner.token}`, 'apollo-require-preflight': 'true' },
    });
    expect(twice.status).toBe(400);
    expect(await twice.json()).toMatchObject({ errors: [{ extensions: { code: 'BAD_REQUEST' } }] });
  });

  it('runs a "sha256:"-prefixed APQ hash, as urql sends a client-preset document\'s __meta__.hash', async () => {
    expectViewerEmail(await get(gw, org.owner.token, { extensions: JSON.stringify(apq(`sha256:${viewerHash}`)) }), org.owner.email);
  });

  it('rewrites the query string to the registered text, keeping variables and operationName', async () => {
    const documents = new TrustedDocuments(gw.db, 'enforce');
    const search = `?${new URLSearchParams({ extensions: JSON.stringify({ ...apq(viewerHash), other: 1 }), variables: '{"a":1}', operationName: 'ViewerEmail' }).toString()}`;
    const resolution = await documents.resolve('', search);
    expect(resolution.kind).toBe('ok');
    const params = new URLSearchParams(resolution.kind === 'ok' ? resolution.search : '');
    expect(Object.fromEntries(params)).toEqual({ query: VIEWER_EMAIL, variables: '{"a":1}', operationName: 'ViewerEmail', extensions: '{"other":1}' });
  });

  it("a JSON body, not the query string, names a POST's document", async () => {
    const documents = new TrustedDocuments(gw.db, 'enforce');
    const resolution = await documents.resolve({ query: 'query Unregistered { viewer { user { id } } }' }, `?documentId=${viewerHash}`);
    expect(resolution).toMatchObject({ kind: 'refused', code: 'TRUSTED_DOCUMENT_REQUIRED' });
  });
});

// Apollo's CSRF prevention (src/graphql/apollo.ts): a GET runs only with a header that forces a
// browser's CORS preflight. Authorization is one, so a client sending its token needs no other.
describe('GET and CSRF prevention', () => {
  const url = () => `${gw.url}?${new URLSearchParams({ extensions: JSON.stringify(apq(viewerHash)) }).toString()}`;

  it('runs a GET that carries Authorization and no preflight header', async () => {
    const response = await fetch(url(), { headers: { authorization: `Bearer ${org.owner.token}` } });
    const body: unknown = await response.json();
    expect(response.status).toBe(200);
    expect(body).toEqual({ data: { viewer: { user: { email: org.owner.email } } } });
  });

  it('blocks a GET with neither Authorization nor a preflight header (a cross-site <img> or link), before anything runs', async () => {
    const response = await fetch(url());
    expect(response.status).toBe(400);
    expect(await response.text()).toContain('Cross-Site Request Forgery');
  });

  it('blocks it with an empty Authorization too', async () => {
    const response = await fetch(url(), { headers: { authorization: '' } });
    expect(response.status).toBe(400);
    expect(await response.text()).toContain('Cross-Site Request Forgery');
  });
});
