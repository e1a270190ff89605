import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectAllowed, expectDenied } from '../support/expect.js';
import { createOrg, type OrgFixture } from '../support/fixtures.js';
import { startTestGateway, type TestGateway } from '../support/harness.js';

// SPEC §1 "Cross-tenant": an id of another organization behaves exactly like one that does not
// exist — NOT_FOUND, no data, nothing changed — for every id-taking mutation of env vars.
const CREATE = 'mutation($org: ID!) { createEnvVar(organizationId: $org, input: { name: "THEIRS", value: "their-secret-42" }) { id } }';
const MUTATIONS: Array<[string, string]> = [
  ['updateEnvVar', 'mutation($id: ID!) { updateEnvVar(id: $id, input: { value: "overwritten" }) { id name value } }'],
  ['setEnvVarAccess', 'mutation($id: ID!) { setEnvVarAccess(id: $id, access: []) { id name value } }'],
  ['setEnvVarAccess (clear)', 'mutation($id: ID!) { setEnvVarAccess(id: $id, access: null) { id name value } }'],
  ['deleteEnvVar', 'mutation($id: ID!) { deleteEnvVar(id: $id) }'],
];
const LIST = 'query($org: ID!) { organization(id: $org) { envVars { totalCount edges { node { id value accessRestricted } } } } }';

let gw: TestGateway;
let mine: OrgFixture;
let theirs: OrgFixture;
let theirId: string;

beforeAll(async () => {
  gw = await startTestGateway();
  mine = await createOrg(gw);
  theirs = await createOrg(gw);
  theirId = (await expectAllowed<{ createEnvVar: { id: string } }>(gw, theirs.owner.token, CREATE, { org: String(theirs.organizationId) })).createEnvVar.id;
});
afterAll(async () => gw.close());

describe('ids of another organization are NOT_FOUND', () => {
  it.each(MUTATIONS)('%s with another organization’s env var id', async (_name, mutation) => {
    const response = await expectDenied(gw, mine.owner.token, mutation, { id: theirId }, 'NOT_FOUND');
    expect(response.data).toBeNull();
    expect(response.raw).not.toMatch(/THEIRS|their-secret-42/);
  });

  it.each(MUTATIONS)('%s with a malformed or unknown id answers the same', async (_name, mutation) => {
    await expectDenied(gw, mine.owner.token, mutation, { id: 'not-a-uuid' }, 'NOT_FOUND');
    await expectDenied(gw, mine.owner.token, mutation, { id: '00000000-0000-4000-8000-000000000000' }, 'NOT_FOUND');
  });

  it('createEnvVar in another organization is NOT_FOUND', async () => {
    await expectDenied(gw, mine.owner.token, CREATE, { org: String(theirs.organizationId) }, 'NOT_FOUND');
  });

  it('the other organization’s env var is unchanged and absent from my list', async () => {
    const their = await expectAllowed<{ organization: { envVars: { totalCount: number; edges: { node: { id: string; value: string; accessRestricted: boolean } }[] } } }>(
      gw,
      theirs.owner.token,
      LIST,
      { org: String(theirs.organizationId) },
    );
    expect(their.organization.envVars.edges.map((e) => e.node)).toEqual([{ id: theirId, value: 'their-secret-42', accessRestricted: false }]);
    const my = await expectAllowed<{ organization: { envVars: { totalCount: number } } }>(gw, mine.owner.token, LIST, { org: String(mine.organizationId) });
    expect(my.organization.envVars.totalCount).toBe(0);
  });
});
