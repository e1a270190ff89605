import { sql } from 'kysely';
import { pino } from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { sha256Hex } from '../../src/modules/trusted-documents/document-hash.js';
import { createOrg, type OrgFixture } from '../support/fixtures.js';
import { startTestGateway, type GqlResponse, type TestGateway } from '../support/harness.js';
import { apq, get, post } from '../trusted-documents/trusted-documents-helpers.js';

// Issue 15 §6: a refusal the gateway means to give (a limit, a persisted query that does not add
// up, a validation failure, unstorable input) is answered 4xx with its own code, and is never
// logged as an internal error; only a failure nobody meant is.
interface LogLine {
  level: number;
  msg: string;
}
const lines: LogLine[] = [];
const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line) as LogLine) });
const internalErrors = () => lines.filter((line) => line.msg === 'internal error' || line.level >= 50);

let gw: TestGateway;
let org: OrgFixture;
beforeAll(async () => {
  gw = await startTestGateway({ MAX_QUERY_COST: '50', MAX_QUERY_DEPTH: '6', MAX_QUERY_ALIASES: '3' }, { logger });
  org = await createOrg(gw);
});
afterAll(async () => gw.close());
beforeEach(() => {
  lines.length = 0;
});

const VIEWER = 'query { viewer { user { id } } }';

function expectRefusal(response: GqlResponse<unknown>, code: string, message?: RegExp): void {
  const summary = `${response.status} ${response.raw}`;
  expect(response.status, summary).toBe(400);
  expect(
    response.errors.map((e) => e.extensions?.code),
    summary,
  ).toEqual([code]);
  if (message) expect(response.errors[0]?.message, summary).toMatch(message);
  expect(internalErrors(), JSON.stringify(lines)).toEqual([]);
}

describe('refusals the gateway means to give', () => {
  const apqCases: Array<[string, () => Promise<GqlResponse<unknown>>, RegExp]> = [
    [
      "an APQ hash that is not the query's (POST)",
      () => post(gw, org.owner.token, { query: VIEWER, extensions: apq(sha256Hex('something else')) }),
      /is not the SHA-256 of `query`/,
    ],
    [
      "an APQ hash that is not the query's (GET)",
      () => get(gw, org.owner.token, { query: VIEWER, extensions: JSON.stringify(apq(sha256Hex('other'))) }),
      /is not the SHA-256 of `query`/,
    ],
    [
      'an APQ version other than 1',
      () => post(gw, org.owner.token, { query: VIEWER, extensions: { persistedQuery: { version: 2, sha256Hash: sha256Hex(VIEWER) } } }),
      /must be 1/,
    ],
  ];
  it.each(apqCases)('%s is 400 BAD_REQUEST saying what to send, not logged as internal', async (_name, send, message) => {
    expectRefusal(await send(), 'BAD_REQUEST', message);
  });

  it('the cost limit is QUERY_TOO_COMPLEX', async () => {
    const query = `query($id: ID!) { organization(id: $id) { automations(first: 100) { edges { node { id name } } } } }`;
    expectRefusal(await gw.gql(org.owner.token, query, { id: String(org.organizationId) }), 'QUERY_TOO_COMPLEX');
  });

  it('the depth limit is QUERY_TOO_DEEP', async () => {
    const query = 'query { viewer { memberships { organization { automations { edges { node { createdBy { id } } } } } } } }';
    expectRefusal(await gw.gql(org.owner.token, query), 'QUERY_TOO_DEEP');
  });

  it('the alias limit is TOO_MANY_ALIASES', async () => {
    expectRefusal(
      await gw.gql(org.owner.token, 'query { a: viewer { __typename } b: viewer { __typename } c: viewer { __typename } d: viewer { __typename } }'),
      'TOO_MANY_ALIASES',
    );
  });

  it('a validation failure is GRAPHQL_VALIDATION_FAILED', async () => {
    expectRefusal(await gw.gql(org.owner.token, 'query { viewer { noSuchField } }'), 'GRAPHQL_VALIDATION_FAILED');
  });

  it('unstorable input is BAD_USER_INPUT', async () => {
    const response = await gw.gql(org.owner.token, 'query($id: ID!) { organization(id: $id) { id } }', { id: '1\u0000' });
    expectRefusal(response, 'BAD_USER_INPUT', /"id" of Query.organization/);
  });
});

describe('a failure nobody meant', () => {
  it('is still INTERNAL_SERVER_ERROR, and logged as an internal error with its cause', async () => {
    await sql`alter table agents rename to agents_gone`.execute(gw.db);
    try {
      const response = await gw.gql(org.owner.token, 'query($id: ID!) { organization(id: $id) { agents { totalCount } } }', { id: String(org.organizationId) });
      expect(response.errors.map((e) => e.extensions?.code)).toEqual(['INTERNAL_SERVER_ERROR']);
      expect(internalErrors().map((line) => line.msg)).toEqual(['internal error']);
    } finally {
      await sql`alter table agents_gone rename to agents`.execute(gw.db);
    }
  });
});
