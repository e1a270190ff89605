import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildExecutableSchema } from '../../src/graphql/schema.js';
import { checkDocument } from '../../src/modules/trusted-documents/check-document.js';
import { createOrg, type OrgFixture } from '../support/fixtures.js';
import { startTestGateway, type TestGateway } from '../support/harness.js';

// `gatehouse documents register` refuses a document the gateway would never run, with the code
// the gateway would answer. The table runs each document through checkDocument and through a real
// gateway with the same (small) limits, in off mode so that the gateway runs any text.
let gw: TestGateway;
let org: OrgFixture;
beforeAll(async () => {
  gw = await startTestGateway({ MAX_QUERY_DEPTH: '5', MAX_QUERY_ALIASES: '2', MAX_QUERY_DIRECTIVES: '2', MAX_QUERY_TOKENS: '100', MAX_QUERY_COST: '50' });
  org = await createOrg(gw);
});
afterAll(async () => gw.close());

const schema = buildExecutableSchema();

const cases: Array<[string, string, string[]]> = [
  ['a valid document', 'query Fine { viewer { user { id } } }', []],
  ['a syntax error', 'query Broken {', ['GRAPHQL_PARSE_FAILED']],
  ['an unknown field', 'query Unknown { viewer { nope } }', ['GRAPHQL_VALIDATION_FAILED']],
  ['depth 6 over 5', 'query Deep { viewer { memberships { organization { roles { features { feature } } } } } }', ['QUERY_TOO_DEEP']],
  ['3 aliases over 2', 'query Aliased { a: viewer { user { id } } b: viewer { user { id } } c: viewer { user { id } } }', ['TOO_MANY_ALIASES']],
  ['3 directives over 2', 'query Skips($s: Boolean = false) { viewer @skip(if: $s) { user @skip(if: $s) { id @skip(if: $s) } } }', ['TOO_MANY_DIRECTIVES']],
  ['over 100 tokens', `query Long { viewer { user { ${'id '.repeat(100)}} } }`, ['TOO_MANY_TOKENS']],
  [
    'cost over 50 with its default page size',
    'query Costly($o: ID!, $n: Int = 30) { organization(id: $o) { members(first: $n) { edges { node { joinedAt } } } } }',
    ['QUERY_TOO_COMPLEX'],
  ],
  [
    'invalid and too deep: both',
    'query Both { viewer { nope memberships { organization { roles { features { feature } } } } } }',
    ['GRAPHQL_VALIDATION_FAILED', 'QUERY_TOO_DEEP'],
  ],
];

describe('checkDocument answers what the gateway would', () => {
  it.each(cases)('%s', async (_name, text, codes) => {
    const check = checkDocument(schema, text, gw.config.limits);
    expect(check.ok ? [] : check.refusals.map((refusal) => refusal.code).sort()).toEqual(codes);
    const response = await gw.gql(org.owner.token, text, { o: String(org.organizationId) });
    expect(response.errors.map((error) => error.extensions?.code).sort(), response.raw).toEqual(codes);
  });

  it('names the code, the limit and the setting to raise in each problem', () => {
    const check = checkDocument(schema, 'query Deep { viewer { memberships { organization { roles { features { feature } } } } } }', gw.config.limits);
    expect(check).toEqual({
      ok: false,
      refusals: [
        {
          code: 'QUERY_TOO_DEEP',
          problem:
            "it is over the gateway's limits: The operation nests fields 6 deep; the limit is 5. Split it into several operations. Change the operation, or raise MAX_QUERY_DEPTH on the gateway; this command reads it from its environment, as the gateway does (the gateway answers QUERY_TOO_DEEP)",
        },
      ],
    });
  });

  it("costs each operation with its variables' defaults, and names it", () => {
    const check = checkDocument(
      schema,
      'query Costly($o: ID!, $n: Int = 30) { organization(id: $o) { members(first: $n) { edges { node { joinedAt } } } } }',
      gw.config.limits,
    );
    expect(check.ok ? '' : check.refusals[0]?.problem).toMatch(
      /^it is over the gateway's limits: Operation Costly costs \d+ with its variables' defaults; the limit is 50\./,
    );
    // Cheaper pages by default: it registers, and a client asking for more pages is refused per request.
    expect(
      checkDocument(
        schema,
        'query Cheap($o: ID!, $n: Int = 5) { organization(id: $o) { members(first: $n) { edges { node { joinedAt } } } } }',
        gw.config.limits,
      ),
    ).toEqual({ ok: true, operationName: 'Cheap' });
  });
});
