import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { SecretBox } from '../../src/crypto/secret-box.js';
import { expectAllowed } from '../support/expect.js';
import { addMember, createOrg, type Actor, type OrgFixture } from '../support/fixtures.js';
import { startTestGateway, type TestGateway } from '../support/harness.js';

// STYLE "Decide once per request": EnvVar.value re-checks access for its row, and a page of 1,000
// env vars must cost one batched visibility query, not 1,000.
const COUNT = 1000;
const LIST = `query($org: ID!) { organization(id: $org) { envVars(first: ${COUNT}) { edges { node { name value } } } } }`;
const SETTINGS = 'mutation($org: ID!) { updateOrganizationSettings(organizationId: $org, input: { entityRbac: true }) { entityRbac } }';

let gw: TestGateway;
let org: OrgFixture;
let member: Actor;

beforeAll(async () => {
  // 1,000 values of @cost 10 each: over the default MAX_QUERY_COST, which a test of batching may raise.
  gw = await startTestGateway({ MAX_PAGE_SIZE: String(COUNT), MAX_QUERY_COST: '20000' });
  org = await createOrg(gw);
  member = await addMember(gw, org.organizationId, org.memberRoleId);
  const box = new SecretBox(gw.secretKey);
  const rows = Array.from({ length: COUNT }, (_, i) => {
    const id = randomUUID();
    return { id, organizationId: org.organizationId, name: `VAR_${i}`, valueCiphertext: box.seal(`value-${i}`, `env_vars.value:${org.organizationId}:${id}`) };
  });
  await gw.db.insertInto('envVars').values(rows).execute();
  await expectAllowed(gw, org.owner.token, SETTINGS, { org: String(org.organizationId) });
});
afterAll(async () => gw.close());

it('reading the value of 1,000 env vars re-checks visibility in one query', async () => {
  const executor = gw.db.getExecutor();
  const spy = vi.spyOn(executor, 'executeQuery');
  try {
    const data = await expectAllowed<{ organization: { envVars: { edges: { node: { name: string; value: string } }[] } } }>(gw, member.token, LIST, {
      org: String(org.organizationId),
    });
    expect(data.organization.envVars.edges).toHaveLength(COUNT);
    expect(data.organization.envVars.edges.every(({ node }) => node.value === `value-${node.name.slice(4)}`)).toBe(true);
    const envVarQueries = spy.mock.calls.filter(([query]) => /from "env_vars"/.test(query.sql));
    // The page itself, then the one batched re-check behind every `value`.
    expect(envVarQueries).toHaveLength(2);
  } finally {
    spy.mockRestore();
  }
});
