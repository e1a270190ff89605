import { getIntrospectionQuery } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrg, type OrgFixture } from '../support/fixtures.js';
import { startTestGateway, type TestGateway } from '../support/harness.js';

// Issue 12 §1: the explorer and codegen introspect in production too; INTROSPECTION decides, not
// Apollo's NODE_ENV default. AUTH_JWT_SECRET is development-only, so production runs on API tokens.

const PRODUCTION = { NODE_ENV: 'production', AUTH_JWT_SECRET: '', EXPLORER_ENABLED: 'true' };
const SCHEMA_QUERY = '{ __schema { queryType { name } } }';

const gateways: TestGateway[] = [];
async function gatewayWith(env: Record<string, string>): Promise<{ gw: TestGateway; org: OrgFixture }> {
  const gw = await startTestGateway(env);
  gateways.push(gw);
  return { gw, org: await createOrg(gw) };
}

afterAll(async () => {
  await Promise.all(gateways.map((gw) => gw.close()));
});

describe.each([
  ['production, by default', PRODUCTION],
  ['production, INTROSPECTION=authenticated', { ...PRODUCTION, INTROSPECTION: 'authenticated' }],
  ['test, by default', {}],
])('%s', (_name, env) => {
  let gw: TestGateway;
  let org: OrgFixture;
  beforeAll(async () => {
    ({ gw, org } = await gatewayWith(env));
  });

  it('answers the full introspection query to a caller with a token', async () => {
    const response = await gw.gql<{ __schema: { queryType: { name: string } } }>(org.owner.token, getIntrospectionQuery());
    expect(response.errors).toEqual([]);
    expect(response.data?.__schema.queryType.name).toBe('Query');
  });

  it('refuses it without a token: 401 before anything is parsed', async () => {
    const response = await gw.gql(undefined, SCHEMA_QUERY);
    expect(response.status).toBe(401);
    expect(response.errors.map((e) => e.extensions?.code)).toEqual(['UNAUTHENTICATED']);
  });
});

describe('INTROSPECTION=off in production', () => {
  let gw: TestGateway;
  let org: OrgFixture;
  beforeAll(async () => {
    ({ gw, org } = await gatewayWith({ ...PRODUCTION, INTROSPECTION: 'off' }));
  });

  it.each([
    ['__schema', SCHEMA_QUERY],
    ['__type', '{ __type(name: "Query") { name } }'],
  ])('refuses %s with advice a caller can act on', async (field, query) => {
    const response = await gw.gql(org.owner.token, query);
    expect(response.status).toBe(400);
    expect(response.data).toBeNull();
    expect(response.errors).toHaveLength(1);
    expect(response.errors[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(response.errors[0]?.message).toContain(`Introspection is off on this gateway (INTROSPECTION=off), so ${field} is refused`);
  });

  it('still answers __typename, which clients add to every selection', async () => {
    const response = await gw.gql<{ __typename: string }>(org.owner.token, '{ __typename }');
    expect(response.errors).toEqual([]);
    expect(response.data).toEqual({ __typename: 'Query' });
  });
});
