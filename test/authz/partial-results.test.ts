import { isNonNullType, isObjectType } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authenticated, signedInUser } from '../../src/authz/guards.js';
import { authorization, buildExecutableSchema } from '../../src/graphql/schema.js';
import { instanceAdmin } from '../../src/authz/instance-admin.rule.js';
import { connectRepo, deployNew } from '../support/automation-fixtures.js';
import { expectAllowed } from '../support/expect.js';
import { addMember, createOrg, createTemplateRole, type OrgFixture } from '../support/fixtures.js';
import { startTestGateway, type TestGateway } from '../support/harness.js';

// Issue 12 §2, README "Nullability": a denial nulls the denied field alone, with an error at its
// path; the rest of the screen arrives.

/** Rules decided by who is calling alone: a caller whose schema shows the field always passes them. */
const PRINCIPAL_ONLY = new Set<unknown>([authenticated, signedInUser, instanceAdmin]);

describe('the nullability policy', () => {
  it('every field whose rule looks at an organization or an entity is nullable', () => {
    const schema = buildExecutableSchema();
    const nonNull: string[] = [];
    for (const [typeName, fields] of Object.entries(authorization().rules)) {
      const type = schema.getType(typeName);
      if (!isObjectType(type)) continue;
      for (const [field, rule] of Object.entries(fields)) {
        const definition = type.getFields()[field];
        if (definition && isNonNullType(definition.type) && !PRINCIPAL_ONLY.has(rule)) nonNull.push(`${typeName}.${field}: ${String(definition.type)}`);
      }
    }
    expect(nonNull).toEqual([]);
  });
});

const SCREEN = `query Automations($org: ID!) {
  organization(id: $org) {
    name
    automations(first: 50) { totalCount edges { node { id name visibility executions { totalCount } } } }
  }
}`;

interface Screen {
  organization: {
    name: string;
    automations: { totalCount: number; edges: Array<{ node: { id: string; name: string; visibility: string; executions: { totalCount: number } | null } }> };
  };
}

describe('a Viewer with a RUN grant on one private automation opens the automations screen', () => {
  let gw: TestGateway;
  let org: OrgFixture;
  let viewer: string;
  let shared: string;
  let granted: string;

  beforeAll(async () => {
    gw = await startTestGateway();
    org = await createOrg(gw, `Partial results ${process.pid}`);
    const viewerRole = await createTemplateRole(gw, org.organizationId, 'VIEWER');
    const member = await addMember(gw, org.organizationId, viewerRole);
    viewer = member.token;
    const repo = await connectRepo(gw, org.owner.token, org.organizationId);
    shared = (await deployNew(gw, org.owner.token, org.organizationId, repo)).automationId;
    granted = (await deployNew(gw, org.owner.token, org.organizationId, repo)).automationId;
    const hidden = (await deployNew(gw, org.owner.token, org.organizationId, repo)).automationId;
    const access = `mutation($id: ID!, $access: [AutomationAccessInput!]!) { setAutomationAccess(id: $id, visibility: PRIVATE, access: $access) { id } }`;
    await expectAllowed(gw, org.owner.token, access, { id: granted, access: [{ principalType: 'USER', principalId: member.userId, permissions: ['RUN'] }] });
    await expectAllowed(gw, org.owner.token, access, { id: hidden, access: [] });
  });
  afterAll(async () => gw.close());

  it('gets every automation it may view, and an error only where a field is denied', async () => {
    const response = await gw.gql<Screen>(viewer, SCREEN, { org: String(org.organizationId) });
    expect(response.status).toBe(200);
    const automations = response.data?.organization.automations;
    expect(response.data?.organization.name).toBe(`Partial results ${process.pid}`);
    // The private automation without a grant is left out of the list and its count.
    expect(automations?.totalCount).toBe(2);
    const byId = new Map(automations?.edges.map((edge, index) => [edge.node.id, { index, node: edge.node }]));
    expect([...byId.keys()].sort()).toEqual([shared, granted].sort());

    const sharedRow = byId.get(shared);
    expect(sharedRow?.node).toMatchObject({ visibility: 'ORGANIZATION', executions: { totalCount: 0 } });
    const grantedRow = byId.get(granted);
    expect(grantedRow?.node).toMatchObject({ id: granted, visibility: 'PRIVATE', executions: null });
    expect(grantedRow?.node.name).toMatch(/^automation-/);

    // RUN does not include reading the runs (SPEC §3): one error, at that field's path alone.
    expect(response.errors).toHaveLength(1);
    expect(response.errors[0]).toMatchObject({
      path: ['organization', 'automations', 'edges', grantedRow?.index, 'node', 'executions'],
      extensions: { code: 'FORBIDDEN' },
    });
  });
});
