import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrg, type OrgFixture } from '../support/fixtures.js';
import { startTestGateway, type GqlResponse, type TestGateway } from '../support/harness.js';
import { expectRefused, expectWithinLimits } from './limits-helpers.js';

// Issue 6 §4: body size, batching, cost and the per-operation timeout, with small limits; the cost
// model of issue 12 §4 (test/limits/cost-model.test.ts has its rules).
let gw: TestGateway;
let org: OrgFixture;
beforeAll(async () => {
  gw = await startTestGateway({ MAX_BODY_BYTES: '2048', MAX_QUERY_COST: '301', MAX_QUERY_DEPTH: '12', OPERATION_TIMEOUT_MS: '300' });
  org = await createOrg(gw);
});
afterAll(async () => gw.close());

async function post(body: string, token = org.owner.token): Promise<GqlResponse<unknown>> {
  const response = await fetch(gw.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body });
  const raw = await response.text();
  const parsed = JSON.parse(raw) as { data?: unknown; errors?: GqlResponse<unknown>['errors'] };
  return { status: response.status, data: parsed.data ?? null, errors: parsed.errors ?? [], raw };
}

/** `{"query":"{ __typename   …}"}` of exactly `bytes` bytes. */
const bodyOf = (bytes: number): string => {
  const body = JSON.stringify({ query: '{ __typename }' });
  return body.replace('}"}', `${' '.repeat(bytes - body.length)}}"}`);
};

describe('document size (MAX_BODY_BYTES)', () => {
  it('a body of exactly the limit passes', async () => {
    expect(Buffer.byteLength(bodyOf(2048))).toBe(2048);
    expectWithinLimits(await post(bodyOf(2048)));
  });

  it('one byte more is PAYLOAD_TOO_LARGE, 413', async () => {
    expectRefused(await post(bodyOf(2049)), 413, 'PAYLOAD_TOO_LARGE', { name: 'bodyBytes', max: 2048 });
  });
});

describe('operation batching (off)', () => {
  it('one operation passes; an array of operations is BATCHING_DISABLED, 400', async () => {
    expectWithinLimits(await post(JSON.stringify({ query: '{ __typename }' })));
    expectRefused(await post(JSON.stringify([{ query: '{ __typename }' }])), 400, 'BATCHING_DISABLED', { name: 'batching', max: 1 });
  });
});

describe('cost (MAX_QUERY_COST)', () => {
  // organization 1 + viewerPermissions 1 + automations 1 + pageInfo 1 + n × (edge 1 + node 1 + createdBy 1) = 4 + 3n;
  // scalars cost nothing.
  const query = `query($o: ID!, $n: Int) { organization(id: $o) { viewerPermissions { isOwner } automations(first: $n) {
    pageInfo { hasNextPage } edges { node { id name createdBy { id } } } } } }`;
  const o = () => String(org.organizationId);

  it('a cost of exactly the limit passes (first from the variables)', async () => {
    expectWithinLimits(await gw.gql(org.owner.token, query, { o: o(), n: 99 }));
  });

  it('one page item more is QUERY_TOO_COMPLEX, 400, with the computed cost', async () => {
    const response = await gw.gql(org.owner.token, query, { o: o(), n: 100 });
    expectRefused(response, 400, 'QUERY_TOO_COMPLEX', { name: 'cost', max: 301, actual: 304 });
    expect(response.errors[0]?.message).toContain('304');
  });

  it('a connection without first counts 20 items (its @listSize); nested lists multiply', async () => {
    expectWithinLimits(await gw.gql(org.owner.token, query, { o: o() }));
    const nested = 'query($o: ID!) { organization(id: $o) { automations(first: 6) { edges { node { deployments { edges { node { id } } } } } } } }';
    // organization 1 + automations 1 + 6 × (edge 1 + node 1 + deployments (1 + 20 × 2)) = 260: passes. first: 7 → 303: refused.
    expectWithinLimits(await gw.gql(org.owner.token, nested, { o: o() }));
    expectRefused(await gw.gql(org.owner.token, nested.replace('first: 6', 'first: 7'), { o: o() }), 400, 'QUERY_TOO_COMPLEX', {
      name: 'cost',
      max: 301,
      actual: 303,
    });
  });

  it('the same selection on llmConnections and tools costs the same: no list is guessed from a type name', async () => {
    // organization 1 + (connection 1 + 100 × (edge 1 + node 1)) per alias: 202 for one, 403 for two.
    const list = (field: string, aliases: string[]) =>
      `query($o: ID!) { organization(id: $o) { ${aliases.map((alias) => `${alias}: ${field}(first: 100) { edges { node { id name } } }`).join(' ')} } }`;
    for (const field of ['llmConnections', 'tools']) {
      expectWithinLimits(await gw.gql(org.owner.token, list(field, ['a']), { o: o() }));
      expectRefused(await gw.gql(org.owner.token, list(field, ['a', 'b']), { o: o() }), 400, 'QUERY_TOO_COMPLEX', { name: 'cost', max: 301, actual: 403 });
    }
  });
});

describe('per-operation timeout (OPERATION_TIMEOUT_MS)', () => {
  it('an operation that finishes in time passes', async () => {
    expectWithinLimits(await gw.gql(org.owner.token, '{ viewer { memberships { role { id } } } }'));
  });

  // PostgreSQL only: the request is held by a table lock in another session; PGlite has one
  // session, where the held transaction owns the only connection and the test cannot release it.
  it.skipIf(!process.env.TEST_DATABASE_URL)('one that does not is OPERATION_TIMEOUT, 504, answered at the deadline', async () => {
    // Holds the table authentication reads, so the request cannot finish until this transaction ends.
    let release: () => void = () => undefined;
    const held = gw.db.transaction().execute(async (trx) => {
      await sql`lock table api_tokens in access exclusive mode`.execute(trx);
      await new Promise<void>((resolve) => {
        release = resolve;
      });
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const started = Date.now();
    const response = await gw.gql(org.owner.token, '{ viewer { memberships { role { id } } } }');
    const elapsed = Date.now() - started;
    release();
    await held;
    expectRefused(response, 504, 'OPERATION_TIMEOUT', { name: 'operationTimeoutMs', max: 300 });
    expect(elapsed).toBeLessThan(2_000);
  });
});
