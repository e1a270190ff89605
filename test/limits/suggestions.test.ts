import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrg, type OrgFixture } from '../support/fixtures.js';
import { startTestGateway, type TestGateway } from '../support/harness.js';

// Issue 6 §4: no field suggestions ("Did you mean …") in production; kept in development.
const probes: [string, Record<string, unknown>][] = [
  ['{ viewr { user { id } } }', {}],
  ['{ viewer { memberships(firs: 1) { role { id } } } }', {}],
  ['query($f: Feature!) { viewer { memberships { role { id } } } __typename @skip(if: false) f: __type(name: "Feature") { enumValues { name } } } ', { f: 'tool' }],
];

describe('suggestions', () => {
  let prod: TestGateway;
  let org: OrgFixture;
  beforeAll(async () => {
    prod = await startTestGateway({ NODE_ENV: 'production', AUTH_JWT_SECRET: '' });
    org = await createOrg(prod);
  });
  afterAll(async () => prod.close());

  it('production: no "Did you mean" in any error, and limit refusals keep their code', async () => {
    for (const [query, variables] of probes) {
      const response = await prod.gql(org.owner.token, query, variables);
      expect(response.errors.length, query).toBeGreaterThan(0);
      expect(response.raw).not.toMatch(/did you mean/i);
      expect(response.raw).not.toContain('stacktrace');
    }
    const deep = await prod.gql(org.owner.token, '{ viewer { memberships { organization { automations { edges { node { latestDeployment { deployedBy { id } } } } } } } } }');
    expect(deep.errors[0]?.extensions?.code).toBe('QUERY_TOO_DEEP');
  });

  it('development: suggestions stay', async () => {
    const dev = await startTestGateway({ NODE_ENV: 'development' });
    try {
      const response = await dev.gql(undefined, probes[0]?.[0] ?? '');
      expect(response.errors[0]?.message).toContain('Did you mean "viewer"?');
    } finally {
      await dev.close();
    }
  });
});
