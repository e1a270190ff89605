import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectAllowed, expectDenied } from '../support/expect.js';
import { addMember, addServiceAccount, createOrg, createRole, type Actor, type OrgFixture } from '../support/fixtures.js';
import { startTestGateway, type TestGateway } from '../support/harness.js';

// SPEC §3 "Entity RBAC for other resources", environment variables: with the organization flag
// `entityRbac` on, an env var with an access list is visible and manageable only by Owners and the
// users, roles or service accounts on it; one without stays governed by the feature permission.
const CREATE = 'mutation($org: ID!, $name: String!) { createEnvVar(organizationId: $org, input: { name: $name, value: "v" }) { id } }';
const SET_ACCESS = `mutation($id: ID!, $access: [AccessEntryInput!]) {
  setEnvVarAccess(id: $id, access: $access) { id accessRestricted accessList { principalType principalId } }
}`;
const LIST = 'query($org: ID!) { organization(id: $org) { envVars(first: 100) { totalCount edges { node { id name value } } } } }';
const UPDATE = 'mutation($id: ID!) { updateEnvVar(id: $id, input: { value: "v" }) { id } }';
const DELETE = 'mutation($id: ID!) { deleteEnvVar(id: $id) }';
const SETTINGS = 'mutation($org: ID!, $on: Boolean!) { updateOrganizationSettings(organizationId: $org, input: { entityRbac: $on }) { entityRbac } }';

interface Listed {
  organization: { envVars: { totalCount: number; edges: { node: { id: string; name: string; value: string } }[] } };
}

let gw: TestGateway;
let org: OrgFixture;
let onListUser: Actor;
let onListRoleHolder: Actor;
let onListServiceAccount: Actor;
let notOnList: Actor;
let restrictedId: string;
let openId: string;

const org_ = () => ({ org: String(org.organizationId) });
const entry = (principalType: string, principalId: string | null) => ({ principalType, principalId });

async function visibleNames(actor: Actor): Promise<{ names: string[]; totalCount: number }> {
  const data = await expectAllowed<Listed>(gw, actor.token, LIST, org_());
  return { names: data.organization.envVars.edges.map((e) => e.node.name).sort(), totalCount: data.organization.envVars.totalCount };
}

beforeAll(async () => {
  gw = await startTestGateway();
  org = await createOrg(gw);
  const listedRole = await createRole(gw, org.organizationId, { environment_variables: 'MANAGE' });
  onListUser = await addMember(gw, org.organizationId, org.memberRoleId);
  onListRoleHolder = await addMember(gw, org.organizationId, listedRole);
  onListServiceAccount = await addServiceAccount(gw, org.organizationId, org.memberRoleId);
  notOnList = await addMember(gw, org.organizationId, org.memberRoleId);
  restrictedId = (await expectAllowed<{ createEnvVar: { id: string } }>(gw, org.owner.token, CREATE, { ...org_(), name: 'RESTRICTED' })).createEnvVar.id;
  openId = (await expectAllowed<{ createEnvVar: { id: string } }>(gw, org.owner.token, CREATE, { ...org_(), name: 'OPEN' })).createEnvVar.id;
  const set = await expectAllowed<{ setEnvVarAccess: { accessRestricted: boolean; accessList: unknown[] } }>(gw, org.owner.token, SET_ACCESS, {
    id: restrictedId,
    access: [entry('USER', onListUser.userId), entry('ROLE', listedRole), entry('SERVICE_ACCOUNT', onListServiceAccount.serviceAccountId)],
  });
  expect(set.setEnvVarAccess.accessRestricted).toBe(true);
  expect(set.setEnvVarAccess.accessList).toHaveLength(3);
});
afterAll(async () => gw.close());

describe('with entity RBAC off, an access list has no effect', () => {
  it('a member not on the list sees both env vars', async () => {
    expect(await visibleNames(notOnList)).toEqual({ names: ['OPEN', 'RESTRICTED'], totalCount: 2 });
  });
});

describe('with entity RBAC on', () => {
  beforeAll(async () => {
    await expectAllowed(gw, org.owner.token, SETTINGS, { ...org_(), on: true });
  });

  it('a restricted env var is absent from the list and totalCount of a member not on the list', async () => {
    expect(await visibleNames(notOnList)).toEqual({ names: ['OPEN'], totalCount: 1 });
  });

  it.each([
    ['updateEnvVar', UPDATE],
    ['setEnvVarAccess', SET_ACCESS],
    ['deleteEnvVar', DELETE],
  ])('%s of a restricted env var is NOT_FOUND for a member not on the list', async (_name, mutation) => {
    const response = await expectDenied(gw, notOnList.token, mutation, { id: restrictedId, access: null }, 'NOT_FOUND');
    expect(response.errors[0]?.message).not.toContain('RESTRICTED');
  });

  it.each([
    ['the Owner', () => org.owner],
    ['a user on the list', () => onListUser],
    ['a holder of a role on the list', () => onListRoleHolder],
    ['a service account on the list', () => onListServiceAccount],
  ])('%s sees and reads the restricted env var', async (_who, actor) => {
    expect(await visibleNames(actor())).toEqual({ names: ['OPEN', 'RESTRICTED'], totalCount: 2 });
    const data = await expectAllowed<Listed>(gw, actor().token, LIST, org_());
    expect(data.organization.envVars.edges.find((e) => e.node.id === restrictedId)?.node.value).toBe('v');
    await expectAllowed(gw, actor().token, UPDATE, { id: restrictedId });
  });

  it('an env var without a list stays governed by the feature permission alone', async () => {
    await expectAllowed(gw, notOnList.token, UPDATE, { id: openId });
  });

  it('an empty list leaves the env var to Owners only', async () => {
    await expectAllowed(gw, org.owner.token, SET_ACCESS, { id: openId, access: [] });
    expect((await visibleNames(onListUser)).names).toEqual(['RESTRICTED']);
    expect((await visibleNames(org.owner)).names).toEqual(['OPEN', 'RESTRICTED']);
  });

  it('access: null clears the list and the restriction', async () => {
    const data = await expectAllowed<{ setEnvVarAccess: { accessRestricted: boolean; accessList: unknown[] } }>(gw, org.owner.token, SET_ACCESS, {
      id: restrictedId,
      access: null,
    });
    expect(data.setEnvVarAccess).toMatchObject({ accessRestricted: false, accessList: [] });
    expect((await visibleNames(notOnList)).names).toEqual(['RESTRICTED']);
  });

  it('a principal not of this organization on an access list is NOT_FOUND and changes nothing', async () => {
    const other = await createOrg(gw);
    await expectDenied(gw, org.owner.token, SET_ACCESS, { id: restrictedId, access: [entry('USER', other.owner.userId)] }, 'NOT_FOUND');
    await expectDenied(gw, org.owner.token, SET_ACCESS, { id: restrictedId, access: [entry('ROLE', other.memberRoleId)] }, 'NOT_FOUND');
    await expectDenied(gw, org.owner.token, SET_ACCESS, { id: restrictedId, access: [entry('ROLE', 'not-a-uuid')] }, 'NOT_FOUND');
    expect((await visibleNames(notOnList)).names).toEqual(['RESTRICTED']);
  });
});
