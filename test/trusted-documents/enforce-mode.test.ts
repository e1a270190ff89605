import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256Hex } from '../../src/modules/trusted-documents/document-hash.js';
import { TrustedDocuments } from '../../src/modules/trusted-documents/trusted-documents.js';
import { createOrg, type OrgFixture } from '../support/fixtures.js';
import { startTestGateway, type TestGateway } from '../support/harness.js';
import { apq, expectRefused, expectViewerEmail, post, register, VIEWER_EMAIL } from './trusted-documents-helpers.js';

// Issue 6 §5, TRUSTED_DOCUMENTS=enforce: only registered documents run, named by hash or by text.
let gw: TestGateway;
let org: OrgFixture;
let viewerHash: string;
beforeAll(async () => {
  gw = await startTestGateway({ TRUSTED_DOCUMENTS: 'enforce' });
  org = await createOrg(gw);
  viewerHash = await register(gw, VIEWER_EMAIL);
});
afterAll(async () => gw.close());

describe('a registered document runs', () => {
  it("by its hash alone (Apollo persisted-query extension), although Apollo's own APQ is off", async () => {
    expectViewerEmail(await post(gw, org.owner.token, { extensions: apq(viewerHash) }), org.owner.email);
  });

  it('by its hash with its own text', async () => {
    expectViewerEmail(await post(gw, org.owner.token, { query: VIEWER_EMAIL, extensions: apq(viewerHash) }), org.owner.email);
  });

  it('by documentId, "sha256:<hex>" or bare hex (GraphQL over HTTP)', async () => {
    expectViewerEmail(await post(gw, org.owner.token, { documentId: `sha256:${viewerHash}` }), org.owner.email);
    expectViewerEmail(await post(gw, org.owner.token, { documentId: viewerHash }), org.owner.email);
  });

  // @graphql-codegen's client preset writes `sha256:<hex>` hashes, and urql's persistedExchange
  // sends them as they are (frontend-client.test.ts runs the real tools).
  it('by its hash with a "sha256:" prefix in the APQ extension, alone or with its own text', async () => {
    expectViewerEmail(await post(gw, org.owner.token, { extensions: apq(`sha256:${viewerHash}`) }), org.owner.email);
    expectViewerEmail(await post(gw, org.owner.token, { query: VIEWER_EMAIL, extensions: apq(`sha256:${viewerHash}`) }), org.owner.email);
  });

  it('by the same hash in both fields, one prefixed and one bare', async () => {
    expectViewerEmail(await post(gw, org.owner.token, { documentId: `sha256:${viewerHash}`, extensions: apq(viewerHash) }), org.owner.email);
  });

  it('by its exact text, for a client that sends no hash', async () => {
    expectViewerEmail(await post(gw, org.owner.token, { query: VIEWER_EMAIL }), org.owner.email);
  });

  it('with the operationName and variables the request sends', async () => {
    const text = 'query A { viewer { user { email } } } query B($id: ID!) { organization(id: $id) { id } }';
    const sha256 = await register(gw, text);
    const response = await post(gw, org.owner.token, { extensions: apq(sha256), operationName: 'B', variables: { id: String(org.organizationId) } });
    expect(response.errors, response.raw).toEqual([]);
    expect(response.data).toEqual({ organization: { id: String(org.organizationId) } });
  });

  it('reaches Apollo as plain `query` text: no documentId or persistedQuery left, other fields kept', async () => {
    const body = { documentId: viewerHash, extensions: { ...apq(viewerHash), tracing: false }, operationName: 'ViewerEmail', variables: { a: 1 } };
    await expect(new TrustedDocuments(gw.db, 'enforce').resolve(body)).resolves.toEqual({
      kind: 'ok',
      body: { query: VIEWER_EMAIL, extensions: { tracing: false }, operationName: 'ViewerEmail', variables: { a: 1 } },
      search: '',
    });
  });

  it('as soon as it is registered, with no restart (an unknown hash is not remembered)', async () => {
    const text = 'query LateComer { viewer { user { email } } }';
    const body = { extensions: apq(sha256Hex(text)) };
    expectRefused(await post(gw, org.owner.token, body), 400, 'TRUSTED_DOCUMENT_NOT_FOUND');
    await register(gw, text);
    expectViewerEmail(await post(gw, org.owner.token, body), org.owner.email);
  });
});

describe('anything else is refused before it runs', () => {
  it('unregistered text is TRUSTED_DOCUMENT_REQUIRED, 400', async () => {
    const response = await post(gw, org.owner.token, { query: 'query Other { viewer { user { email } } }' });
    expectRefused(response, 400, 'TRUSTED_DOCUMENT_REQUIRED', 'gatehouse documents register');
    expect(response.errors[0]?.extensions?.requestId).toEqual(expect.any(String));
  });

  it('a registered text changed by one character is unregistered text', async () => {
    expectRefused(await post(gw, org.owner.token, { query: `${VIEWER_EMAIL} ` }), 400, 'TRUSTED_DOCUMENT_REQUIRED');
  });

  // So the explorer cannot load the schema in this mode (README).
  it('an introspection query is unregistered text too', async () => {
    expectRefused(await post(gw, org.owner.token, { query: '{ __schema { queryType { name } } }' }), 400, 'TRUSTED_DOCUMENT_REQUIRED');
  });

  it('a request with no document at all is TRUSTED_DOCUMENT_REQUIRED', async () => {
    expectRefused(await post(gw, org.owner.token, { variables: {} }), 400, 'TRUSTED_DOCUMENT_REQUIRED', 'Only registered operations run');
  });

  it('an unknown hash is TRUSTED_DOCUMENT_NOT_FOUND, 400, naming the hash and the register command', async () => {
    const unknown = sha256Hex('query Unknown { viewer { user { email } } }');
    for (const body of [{ extensions: apq(unknown) }, { documentId: `sha256:${unknown}` }]) {
      const response = await post(gw, org.owner.token, body);
      expectRefused(response, 400, 'TRUSTED_DOCUMENT_NOT_FOUND', unknown);
      expect(response.errors[0]?.message).toContain('gatehouse documents register');
    }
  });

  it('a registered hash with some other query is refused, and that query does not run', async () => {
    const other = 'query Other { viewer { user { id } } }';
    expectRefused(await post(gw, org.owner.token, { query: other, extensions: apq(viewerHash) }), 400, 'BAD_REQUEST', 'is not the SHA-256 of `query`');
    expectRefused(await post(gw, org.owner.token, { query: other, documentId: viewerHash }), 400, 'BAD_REQUEST', 'is not the SHA-256 of `query`');
    expectRefused(
      await post(gw, org.owner.token, { query: other, extensions: apq(`sha256:${viewerHash}`) }),
      400,
      'BAD_REQUEST',
      'is not the SHA-256 of `query`',
    );
  });
});

describe('malformed document fields are BAD_REQUEST, 400, never a server error', () => {
  const cases: Array<[string, Record<string, unknown>, string]> = [
    ['extensions a string', { extensions: 'persistedQuery' }, '`extensions` must be a JSON object'],
    ['extensions an array', { extensions: [apq(sha256Hex('x'))] }, '`extensions` must be a JSON object'],
    ['persistedQuery a string', { extensions: { persistedQuery: sha256Hex('x') } }, '`extensions.persistedQuery` must be an object'],
    ['persistedQuery version 2', { extensions: { persistedQuery: { version: 2, sha256Hash: sha256Hex('x') } } }, 'version` must be 1'],
    ['persistedQuery without a version', { extensions: { persistedQuery: { sha256Hash: sha256Hex('x') } } }, 'version` must be 1'],
    ['sha256Hash too short', { extensions: { persistedQuery: { version: 1, sha256Hash: 'abc' } } }, 'sha256Hash` must be the 64 lowercase hex digits'],
    [
      'sha256Hash of another algorithm',
      { extensions: { persistedQuery: { version: 1, sha256Hash: `sha1:${'0'.repeat(40)}` } } },
      'sha256Hash` must be the 64 lowercase hex digits',
    ],
    ['sha256Hash "sha256:" and nothing', { extensions: { persistedQuery: { version: 1, sha256Hash: 'sha256:' } } }, 'with or without a "sha256:" prefix'],
    [
      'sha256Hash with the prefix twice',
      { extensions: { persistedQuery: { version: 1, sha256Hash: `sha256:sha256:${sha256Hex('x')}` } } },
      'sha256Hash` must be',
    ],
    ['sha256Hash a number', { extensions: { persistedQuery: { version: 1, sha256Hash: 42 } } }, 'sha256Hash` must be the 64 lowercase hex digits'],
    ['documentId of another algorithm', { documentId: `md5:${'0'.repeat(32)}` }, '`documentId` must be "sha256:"'],
    ['documentId a number', { documentId: 42 }, '`documentId` must be "sha256:"'],
    ['query a number', { query: 42 }, '`query` must be a string'],
    ['two different hashes', { documentId: sha256Hex('x'), extensions: apq(sha256Hex('y')) }, 'name different documents'],
  ];
  it.each(cases)('%s', async (_name, body, message) => {
    expectRefused(await post(gw, org.owner.token, body), 400, 'BAD_REQUEST', message);
  });
});
