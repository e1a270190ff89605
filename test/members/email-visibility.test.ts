import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertExecution } from '../../src/modules/executions/executions.repository.js';
import { connectRepo, deployNew } from '../support/automation-fixtures.js';
import { expectHidden } from '../support/expect.js';
import { addMember, addServiceAccount, createOrg, createRole, jwtFor, type Actor, type OrgFixture } from '../support/fixtures.js';
import { startTestGateway, type TestGateway } from '../support/harness.js';

// Issue 11 §3, SPEC §6 "Members' emails are personal data": Alice's email is read by Alice and by
// those who manage the members of an organization she belongs to (organization_settings: MANAGE);
// everyone else, service accounts included, reads her id and name only, on every path to her.
// Execution.startedBy is an Actor (a user or a service account), which has no email at all.
let gw: TestGateway;
let org: OrgFixture;
let alice: Actor;
let automationId: string;
const viewers: Record<string, () => Promise<string>> = {};

beforeAll(async () => {
  gw = await startTestGateway();
  org = await createOrg(gw);
  alice = await addMember(gw, org.organizationId, org.memberRoleId);
  // Alice deploys (createdBy, deployedBy) and starts a run (startedBy).
  const repo = await connectRepo(gw, org.owner.token, org.organizationId);
  automationId = (await deployNew(gw, alice.token, org.organizationId, repo)).automationId;
  await insertExecution(gw.db, {
    organizationId: org.organizationId,
    automationId,
    deploymentId: null,
    inputs: '{}',
    status: 'SUCCEEDED',
    error: null,
    startedByUserId: alice.userId,
  });

  const settingsManager = await addMember(
    gw,
    org.organizationId,
    await createRole(gw, org.organizationId, { organization_settings: 'MANAGE', crews_dashboards: 'READ' }),
  );
  const member = await addMember(gw, org.organizationId, org.memberRoleId);
  const partner = await addServiceAccount(gw, org.organizationId, await createRole(gw, org.organizationId, { crews_dashboards: 'READ' }));
  const adminAccount = await addServiceAccount(
    gw,
    org.organizationId,
    await createRole(gw, org.organizationId, { crews_dashboards: 'READ', organization_settings: 'MANAGE' }),
  );
  // Owner of an organization of their own, and a plain member here: managing elsewhere, where
  // Alice is no member, reads nothing of hers.
  const elsewhere = await createOrg(gw);
  const ownerElsewhere = elsewhere.owner.email ?? '';
  await addMember(gw, org.organizationId, org.memberRoleId, ownerElsewhere);

  viewers.self = async () => alice.token;
  viewers.owner = async () => org.owner.token;
  viewers['organization_settings MANAGE'] = async () => settingsManager.token;
  viewers['member without it'] = async () => member.token;
  viewers['Owner of another organization (JWT)'] = () => jwtFor(ownerElsewhere);
  viewers['service account, crews_dashboards READ'] = async () => partner.token;
  viewers['service account, organization_settings MANAGE'] = async () => adminAccount.token;
});
afterAll(async () => gw.close());

const PATHS = {
  createdBy: (user: string) => `query($o: ID!, $a: ID!) { organization(id: $o) { automation(id: $a) { createdBy { ${user} } } } }`,
  deployedBy: (user: string) => `query($o: ID!, $a: ID!) { organization(id: $o) { automation(id: $a) { latestDeployment { deployedBy { ${user} } } } } }`,
  members: (user: string) => `query($o: ID!) { organization(id: $o) { members(first: 50) { edges { node { user { ${user} } } } } } }`,
} as const;
type Path = keyof typeof PATHS;

/** Alice as the path shows her, and the errors at her (on `members`, other members' are left out). */
async function aliceThrough(
  token: string,
  path: Path,
  selection: string,
): Promise<{ user: Record<string, unknown> | undefined; errors: Array<{ code: unknown; path: string }> }> {
  const response = await gw.gql<Record<string, unknown>>(
    token,
    PATHS[path](selection),
    path === 'members' ? { o: String(org.organizationId) } : { o: String(org.organizationId), a: automationId },
  );
  const automation = (response.data?.organization as Record<string, Record<string, unknown>> | undefined)?.automation;
  const organization = response.data?.organization as Record<string, unknown> | undefined;
  const users: Record<Path, () => unknown> = {
    createdBy: () => automation?.createdBy,
    deployedBy: () => (automation?.latestDeployment as Record<string, unknown> | undefined)?.deployedBy,
    members: () => memberEdges()?.[aliceEdge()]?.node.user,
  };
  const memberEdges = () => (organization?.members as { edges: Array<{ node: { user: { id: string } } }> } | undefined)?.edges;
  const aliceEdge = () => memberEdges()?.findIndex((e) => e.node.user.id === alice.userId) ?? -1;
  const errors = response.errors.map((e) => ({ code: e.extensions?.code, path: (e.path ?? []).join('.') }));
  return {
    user: users[path]() as Record<string, unknown> | undefined,
    errors: path === 'members' ? errors.filter((e) => e.path.startsWith(`organization.members.edges.${aliceEdge()}.`)) : errors,
  };
}

// What each viewer gets, path by path: the email, FORBIDDEN with a null email, or no email field
// in its schema at all; `members` is not in the schema of a service account that does not manage.
const TABLE: Array<[viewer: string, outcome: 'email' | 'forbidden' | 'hidden', membersPath: boolean]> = [
  ['self', 'email', true],
  ['owner', 'email', true],
  ['organization_settings MANAGE', 'email', true],
  ['member without it', 'forbidden', true],
  ['Owner of another organization (JWT)', 'forbidden', true],
  ['service account, crews_dashboards READ', 'hidden', false],
  ['service account, organization_settings MANAGE', 'email', true],
];
const CASES = TABLE.flatMap(([viewer, outcome, membersPath]) =>
  (Object.keys(PATHS) as Path[]).filter((path) => path !== 'members' || membersPath).map((path) => [viewer, path, outcome] as const),
);

describe('User.email', () => {
  it.each(CASES)('%s, through %s: %s', async (viewer, path, outcome) => {
    const token = await viewers[viewer]?.();
    if (!token) throw new Error(`no viewer ${viewer}`);
    if (outcome === 'hidden') {
      await expectHidden(
        gw,
        token,
        PATHS[path]('id name email'),
        path === 'members' ? { o: String(org.organizationId) } : { o: String(org.organizationId), a: automationId },
        'email',
      );
      const { user, errors } = await aliceThrough(token, path, 'id name');
      expect(errors).toEqual([]);
      expect(user).toEqual({ id: alice.userId, name: alice.email?.split('@')[0] });
      return;
    }
    const { user, errors } = await aliceThrough(token, path, 'id name email');
    // id and name always; the email only where the rule allows, and a denial nulls it alone.
    expect(user).toMatchObject({ id: alice.userId, name: alice.email?.split('@')[0] });
    if (outcome === 'email') {
      expect(errors).toEqual([]);
      expect(user?.email).toBe(alice.email);
    } else {
      expect(user?.email).toBeNull();
      expect(errors.length).toBeGreaterThan(0);
      for (const error of errors) {
        expect(error.code).toBe('FORBIDDEN');
        expect(error.path).toMatch(/\.email$/);
      }
    }
  });

  it.each(TABLE.map(([viewer]) => viewer))('%s, through startedBy: an Actor, id and name, no email for anyone', async (viewer) => {
    const token = await viewers[viewer]?.();
    if (!token) throw new Error(`no viewer ${viewer}`);
    const startedBy = (selection: string) =>
      `query($o: ID!, $a: ID!) { organization(id: $o) { automation(id: $a) { executions { edges { node { startedBy { ${selection} } } } } } } }`;
    const variables = { o: String(org.organizationId), a: automationId };
    const data = await gw.gql<{ organization: { automation: { executions: { edges: Array<{ node: { startedBy: unknown } }> } } } }>(
      token,
      startedBy('principalType principalId displayName'),
      variables,
    );
    expect(data.errors).toEqual([]);
    expect(data.data?.organization.automation.executions.edges[0]?.node.startedBy).toEqual({
      principalType: 'USER',
      principalId: alice.userId,
      displayName: alice.email?.split('@')[0],
    });
    await expectHidden(gw, token, startedBy('principalId email'), variables, 'email');
  });

  it('is in the schema of every user and of a service account that manages members, and of no other service account', async () => {
    const hasEmail = async (viewer: string) => {
      const response = await gw.gql<{ __type: { fields: Array<{ name: string }> } }>(await viewers[viewer]!(), '{ __type(name: "User") { fields { name } } }');
      return response.data?.__type.fields.map((f) => f.name).includes('email');
    };
    expect(await hasEmail('member without it')).toBe(true);
    expect(await hasEmail('service account, organization_settings MANAGE')).toBe(true);
    expect(await hasEmail('service account, crews_dashboards READ')).toBe(false);
  });

  it('a denied email leaves the rest of the screen: other members and their roles still answer', async () => {
    const response = await gw.gql<{
      organization: { members: { edges: Array<{ node: { user: { id: string; email: string | null }; role: { kind: string } } }> } };
    }>(await viewers['member without it']!(), PATHS.members('id email').replace('user { id email }', 'user { id email } role { kind }'), {
      o: String(org.organizationId),
    });
    const nodes = response.data?.organization.members.edges.map((e) => e.node) ?? [];
    expect(nodes.length).toBeGreaterThan(3);
    expect(nodes.every((n) => n.role.kind.length > 0)).toBe(true);
    // Its own email only: every other member's is null, each with its own FORBIDDEN.
    expect(nodes.filter((n) => n.user.email !== null)).toHaveLength(1);
    expect(response.errors).toHaveLength(nodes.length - 1);
  });
});
