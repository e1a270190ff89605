import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectAllowed, expectDenied } from '../support/expect.js';
import { createOrg, type OrgFixture } from '../support/fixtures.js';
import { startTestGateway, type TestGateway } from '../support/harness.js';

// SPEC §1 "Cross-tenant": another organization's LLM connection ids are NOT_FOUND, and nothing changes.
const CREATE = 'mutation($org: ID!) { createLLMConnection(organizationId: $org, input: { name: "theirs", provider: OPENAI, apiKey: "sk-their-key-0000" }) { id } }';
const MUTATIONS: Array<[string, string]> = [
  ['updateLLMConnection', 'mutation($id: ID!) { updateLLMConnection(id: $id, input: { name: "stolen", apiKey: "sk-mine-1111" }) { id name } }'],
  ['setLLMConnectionAccess', 'mutation($id: ID!) { setLLMConnectionAccess(id: $id, access: []) { id name } }'],
  ['setLLMConnectionAccess (clear)', 'mutation($id: ID!) { setLLMConnectionAccess(id: $id, access: null) { id name } }'],
  ['deleteLLMConnection', 'mutation($id: ID!) { deleteLLMConnection(id: $id) }'],
];
const LIST = 'query($org: ID!) { organization(id: $org) { llmConnections { totalCount edges { node { id name apiKeyHint accessRestricted } } } } }';

let gw: TestGateway;
let mine: OrgFixture;
let theirs: OrgFixture;
let theirId: string;

beforeAll(async () => {
  gw = await startTestGateway();
  mine = await createOrg(gw);
  theirs = await createOrg(gw);
  theirId = (await expectAllowed<{ createLLMConnection: { id: string } }>(gw, theirs.owner.token, CREATE, { org: String(theirs.organizationId) })).createLLMConnection.id;
});
afterAll(async () => gw.close());

describe('ids of another organization are NOT_FOUND', () => {
  it.each(MUTATIONS)('%s with another organization’s connection id', async (_name, mutation) => {
    const response = await expectDenied(gw, mine.owner.token, mutation, { id: theirId }, 'NOT_FOUND');
    expect(response.data).toBeNull();
    expect(response.raw).not.toContain('theirs');
  });

  it.each(MUTATIONS)('%s with a malformed or unknown id answers the same', async (_name, mutation) => {
    await expectDenied(gw, mine.owner.token, mutation, { id: '12' }, 'NOT_FOUND');
    await expectDenied(gw, mine.owner.token, mutation, { id: '00000000-0000-4000-8000-000000000000' }, 'NOT_FOUND');
  });

  it('createLLMConnection in another organization is NOT_FOUND', async () => {
    await expectDenied(gw, mine.owner.token, CREATE, { org: String(theirs.organizationId) }, 'NOT_FOUND');
  });

  it('the other organization’s connection is unchanged and absent from my list', async () => {
    const their = await expectAllowed<{ organization: { llmConnections: { edges: { node: unknown }[] } } }>(gw, theirs.owner.token, LIST, { org: String(theirs.organizationId) });
    expect(their.organization.llmConnections.edges.map((e) => e.node)).toEqual([{ id: theirId, name: 'theirs', apiKeyHint: '••••0000', accessRestricted: false }]);
    const my = await expectAllowed<{ organization: { llmConnections: { totalCount: number } } }>(gw, mine.owner.token, LIST, { org: String(mine.organizationId) });
    expect(my.organization.llmConnections.totalCount).toBe(0);
  });
});
