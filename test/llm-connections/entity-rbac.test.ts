import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectAllowed, expectDenied, expectHidden } from '../support/expect.js';
import { addMember, createOrg, createRole, type Actor, type OrgFixture } from '../support/fixtures.js';
import { startTestGateway, type TestGateway } from '../support/harness.js';

// SPEC §3 "Entity RBAC for other resources", LLM connections: the same rule as env vars.
const CREATE =
  'mutation($org: ID!, $name: String!) { createLLMConnection(organizationId: $org, input: { name: $name, provider: ANTHROPIC, apiKey: "sk-ant-0123456789" }) { id } }';
const SET_ACCESS = 'mutation($id: ID!, $access: [AccessEntryInput!]) { setLLMConnectionAccess(id: $id, access: $access) { id accessRestricted } }';
const LIST = 'query($org: ID!) { organization(id: $org) { llmConnections { totalCount edges { node { name } } } } }';
const UPDATE = 'mutation($id: ID!) { updateLLMConnection(id: $id, input: { defaultModel: "claude" }) { id } }';
const DELETE = 'mutation($id: ID!) { deleteLLMConnection(id: $id) }';
const SETTINGS = 'mutation($org: ID!) { updateOrganizationSettings(organizationId: $org, input: { entityRbac: true }) { entityRbac } }';

let gw: TestGateway;
let org: OrgFixture;
let onList: Actor;
let roleOnList: Actor;
let notOnList: Actor;
let restrictedId: string;

async function names(actor: Actor) {
  const data = await expectAllowed<{ organization: { llmConnections: { totalCount: number; edges: { node: { name: string } }[] } } }>(gw, actor.token, LIST, {
    org: String(org.organizationId),
  });
  return { names: data.organization.llmConnections.edges.map((e) => e.node.name).sort(), totalCount: data.organization.llmConnections.totalCount };
}

beforeAll(async () => {
  gw = await startTestGateway();
  org = await createOrg(gw);
  const role = await createRole(gw, org.organizationId, { llm_connections: 'MANAGE' });
  onList = await addMember(gw, org.organizationId, org.memberRoleId);
  roleOnList = await addMember(gw, org.organizationId, role);
  notOnList = await addMember(gw, org.organizationId, org.memberRoleId);
  const create = (name: string) =>
    expectAllowed<{ createLLMConnection: { id: string } }>(gw, org.owner.token, CREATE, { org: String(org.organizationId), name });
  restrictedId = (await create('restricted')).createLLMConnection.id;
  await create('open');
  await expectAllowed(gw, org.owner.token, SET_ACCESS, {
    id: restrictedId,
    access: [
      { principalType: 'USER', principalId: onList.userId },
      { principalType: 'ROLE', principalId: role },
    ],
  });
  await expectAllowed(gw, org.owner.token, SETTINGS, { org: String(org.organizationId) });
});
afterAll(async () => gw.close());

describe('with entity RBAC on, a restricted LLM connection', () => {
  it('is absent from the list and totalCount of a member not on its list', async () => {
    expect(await names(notOnList)).toEqual({ names: ['open'], totalCount: 1 });
  });

  it.each([
    ['updateLLMConnection', UPDATE],
    ['setLLMConnectionAccess', SET_ACCESS],
    ['deleteLLMConnection', DELETE],
  ])('is NOT_FOUND for %s by a member not on its list', async (_name, mutation) => {
    await expectDenied(gw, notOnList.token, mutation, { id: restrictedId, access: null }, 'NOT_FOUND');
  });

  it.each([
    ['the Owner', () => org.owner],
    ['a user on the list', () => onList],
    ['a holder of a role on the list', () => roleOnList],
  ])('is listed and manageable for %s', async (_who, actor) => {
    expect(await names(actor())).toEqual({ names: ['open', 'restricted'], totalCount: 2 });
    await expectAllowed(gw, actor().token, UPDATE, { id: restrictedId });
  });

  it('for a role with llm_connections NO_ACCESS, the list and the mutations are not in its schema (a feature level, not an access list)', async () => {
    const none = await addMember(gw, org.organizationId, await createRole(gw, org.organizationId, { llm_connections: 'NO_ACCESS' }));
    await expectHidden(gw, none.token, LIST, { org: String(org.organizationId) }, 'llmConnections');
    await expectHidden(gw, none.token, UPDATE, { id: restrictedId }, 'updateLLMConnection');
    await expectHidden(gw, none.token, DELETE, { id: restrictedId }, 'deleteLLMConnection');
    expect(await gw.db.selectFrom('llmConnections').select('id').where('id', '=', restrictedId).execute()).toHaveLength(1);
  });
});
