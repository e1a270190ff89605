import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMember, createOrg, type OrgFixture } from '../support/fixtures.js';
import { startTestGateway, type TestGateway } from '../support/harness.js';

// Issue 6 §4: no field suggestions ("Did you mean …") in production; kept in development.
const probes: [string, Record<string, unknown>][] = [
  ['{ viewr { user { id } } }', {}],
  ['{ viewer { memberships(firs: 1) { role { id } } } }', {}],
  [
    'query($f: Feature!) { viewer { memberships { role { id } } } __typename @skip(if: false) f: __type(name: "Feature") { enumValues { name } } } ',
    { f: 'tool' },
  ],
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
    const deep = await prod.gql(
      org.owner.token,
      '{ viewer { memberships { organization { automations { edges { node { latestDeployment { deployedBy { id } } } } } } } } }',
    );
    expect(deep.errors[0]?.extensions?.code).toBe('QUERY_TOO_DEEP');
  });

  // Without a token nothing is parsed (401), so the probes carry one. Suggestions come from the
  // caller's own schema: a field outside it is never suggested.
  it("development: suggestions stay, from the caller's own schema", async () => {
    const dev = await startTestGateway({ NODE_ENV: 'development' });
    try {
      const own = await createOrg(dev);
      const response = await dev.gql(own.owner.token, probes[0]?.[0] ?? '');
      expect(response.errors[0]?.message).toContain('Did you mean "viewer"?');
      const typo = 'query($id: ID!) { organization(id: $id) { setting { plan } } }';
      const owner = await dev.gql(own.owner.token, typo, { id: String(own.organizationId) });
      expect(owner.errors[0]?.message).toContain('Did you mean "settings"?');
      const member = await addMember(dev, own.organizationId, own.memberRoleId);
      const probed = await dev.gql(member.token, typo, { id: String(own.organizationId) });
      expect(probed.errors.map((e) => e.extensions?.code)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
      expect(probed.errors[0]?.message).toContain('Cannot query field "setting"');
      expect(probed.raw).not.toContain('"settings"');
    } finally {
      await dev.close();
    }
  });
});
