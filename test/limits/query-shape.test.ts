import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrg, type OrgFixture } from '../support/fixtures.js';
import { startTestGateway, type TestGateway } from '../support/harness.js';
import { aliased, expectRefused, expectWithinLimits, repeated } from './limits-helpers.js';

// Issue 6 §4, with the defaults: depth 8, aliases 15, directives 50, tokens 1,000.
let gw: TestGateway;
let org: OrgFixture;
beforeAll(async () => {
  gw = await startTestGateway();
  org = await createOrg(gw);
});
afterAll(async () => gw.close());

// viewer 1, memberships 2, organization 3, automations 4, edges 5, node 6, latestDeployment 7, id 8.
const depth8 = '{ viewer { memberships { organization { automations { edges { node { latestDeployment { id } } } } } } } }';
const depth9 = '{ viewer { memberships { organization { automations { edges { node { latestDeployment { deployedBy { id } } } } } } } } }';

describe('depth (MAX_QUERY_DEPTH, default 8)', () => {
  it("the frontend's deepest queries pass", async () => {
    expectWithinLimits(await gw.gql(org.owner.token, depth8));
    expectWithinLimits(await gw.gql(org.owner.token, '{ viewer { memberships { organization { id name } role { features { feature level } } } } }'));
  });

  it('one level more is QUERY_TOO_DEEP, 400', async () => {
    expectRefused(await gw.gql(org.owner.token, depth9), 400, 'QUERY_TOO_DEEP', { name: 'depth', max: 8, actual: 9 });
  });

  it('fragments count where they are spread', async () => {
    const viaFragments = `{ viewer { ...M } } fragment M on Viewer { memberships { organization { ...O } } }
      fragment O on Organization { automations { edges { node { latestDeployment { deployedBy { id } } } } } }`;
    expectRefused(await gw.gql(org.owner.token, viaFragments), 400, 'QUERY_TOO_DEEP', { name: 'depth', max: 8 });
  });

  it("a fragment cycle is graphql-js's own validation error, not a hang", async () => {
    const response = await gw.gql(org.owner.token, '{ viewer { ...A } } fragment A on Viewer { memberships { organization { id } } ...A }');
    expect(response.status).toBe(400);
    expect(response.errors[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });
});

describe('aliases (MAX_QUERY_ALIASES, default 15)', () => {
  it('15 aliases pass', async () => expectWithinLimits(await gw.gql(org.owner.token, aliased(15))));

  it('16 aliases of __typename are TOO_MANY_ALIASES, 400', async () => {
    expectRefused(await gw.gql(org.owner.token, aliased(16)), 400, 'TOO_MANY_ALIASES', { name: 'aliases', max: 15, actual: 16 });
  });

  it("a fragment's aliases count once per spread", async () => {
    const query = `{ ${'...F '.repeat(8)} } fragment F on Query { a: __typename b: __typename }`;
    expectRefused(await gw.gql(org.owner.token, query), 400, 'TOO_MANY_ALIASES', { name: 'aliases', max: 15, actual: 16 });
  });
});

describe('directives (MAX_QUERY_DIRECTIVES, default 50)', () => {
  it('50 directives pass', async () => expectWithinLimits(await gw.gql(org.owner.token, repeated('__typename @skip(if: false)', 50))));

  it('51 are TOO_MANY_DIRECTIVES, 400', async () => {
    expectRefused(await gw.gql(org.owner.token, repeated('__typename @skip(if: false)', 51)), 400, 'TOO_MANY_DIRECTIVES', {
      name: 'directives',
      max: 50,
      actual: 51,
    });
  });
});

describe('tokens (MAX_QUERY_TOKENS, default 1,000)', () => {
  // 11 + 4 × 247 = 999 tokens, plus one per extra `__typename`. (A thousand sibling fields would
  // hit graphql-js's own OverlappingFieldsCanBeMerged guard first.)
  const tokens = (extra: number): string => {
    let inner = 'name';
    for (let i = 0; i < 247; i += 1) inner = `name ofType { ${inner} }`;
    return `{ ${'__typename '.repeat(extra)}__type(name: "Query") { ${inner} } }`;
  };

  it('1,000 tokens pass', async () => expectWithinLimits(await gw.gql(org.owner.token, tokens(1))));

  it('1,001 tokens are TOO_MANY_TOKENS, 400 (never 500)', async () => {
    expectRefused(await gw.gql(org.owner.token, tokens(2)), 400, 'TOO_MANY_TOKENS', { name: 'tokens', max: 1000 });
  });

  it("the explorer's introspection query fits every limit", async () => {
    const { getIntrospectionQuery } = await import('graphql');
    const query = getIntrospectionQuery({
      descriptions: true,
      specifiedByUrl: true,
      directiveIsRepeatable: true,
      schemaDescription: true,
      inputValueDeprecation: true,
    });
    expectWithinLimits(await gw.gql(org.owner.token, query));
  });
});
