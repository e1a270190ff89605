import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectRepo, deployNew } from '../support/automation-fixtures.js';
import { expectAllowed } from '../support/expect.js';
import { addMember, createOrg, createRole, type Actor, type OrgFixture } from '../support/fixtures.js';
import { startTestGateway, type TestGateway } from '../support/harness.js';

// Issue 11 §4 "Mutations answer what they stored": a mutation's payload is read after its write
// (src/graphql/fresh-loaders.middleware.ts), never from what the request's loaders cached before
// it: by the mutation's own rule, or by an earlier mutation of the same operation.
let gw: TestGateway;
let org: OrgFixture;
let member: Actor;
let otherRoleId: string;
const ids: Record<'automation' | 'envVar' | 'llm' | 'repo', string> = { automation: '', envVar: '', llm: '', repo: '' };

beforeAll(async () => {
  gw = await startTestGateway();
  org = await createOrg(gw);
  member = await addMember(gw, org.organizationId, org.memberRoleId);
  otherRoleId = await createRole(gw, org.organizationId, { crews_dashboards: 'READ' });
  ids.repo = await connectRepo(gw, org.owner.token, org.organizationId);
  ids.automation = (await deployNew(gw, org.owner.token, org.organizationId, ids.repo)).automationId;
  const created = await expectAllowed<{ env: { id: string }; llm: { id: string } }>(
    gw,
    org.owner.token,
    'mutation($o: ID!) { env: createEnvVar(organizationId: $o, input: { name: "PAYLOAD", value: "v" }) { id } llm: createLLMConnection(organizationId: $o, input: { name: "payload", provider: OPENAI, apiKey: "sk-payload-123456" }) { id } }',
    { o: o() },
  );
  ids.envVar = created.env.id;
  ids.llm = created.llm.id;
});
afterAll(async () => gw.close());

const o = () => String(org.organizationId);
const q = (value: string) => JSON.stringify(value);

describe('setAutomationAccess', () => {
  // The rule that allows it (manage_settings) loads the automation's grants to decide; the payload
  // used to answer from that load: the access list from before the change.
  it('answers the access list it stored, not the one its rule read', async () => {
    const data = await expectAllowed<{ setAutomationAccess: { visibility: string; accessList: Array<{ principalId: string; permissions: string[] }> } }>(
      gw,
      org.owner.token,
      `mutation { setAutomationAccess(id: ${q(ids.automation)}, visibility: PRIVATE, access: [{ principalType: USER, principalId: ${q(member.userId ?? '')}, permissions: [RUN] }]) { visibility accessList { principalId permissions } } }`,
    );
    expect(data.setAutomationAccess).toEqual({ visibility: 'PRIVATE', accessList: [{ principalId: member.userId, permissions: ['RUN'] }] });
  });
});

const AUTOMATION = 'id name description visibility accessList { principalType principalId permissions } viewerPermissions { permission allowed }';
const ACCESS = 'accessList { principalType principalId displayName }';
const user = () => `{ principalType: USER, principalId: ${q(member.userId ?? '')} }`;
const role = () => `{ principalType: ROLE, principalId: ${q(otherRoleId)} }`;

/** The node with `id` of a connection. */
const nodeOf = (connection: unknown, id: string) =>
  (connection as { edges: Array<{ node: { id: string } }> }).edges.map((e) => e.node).find((n) => n.id === id);

interface Row {
  mutation: string;
  /** The mutation field with its selection, for the first and the second write. */
  write: (turn: 0 | 1) => string;
  /** A query reading the same object with the same selection, and where it is in the answer. */
  read: () => string;
  pick: (data: Record<string, unknown>) => unknown;
}

const ROWS: Row[] = [
  {
    mutation: 'setAutomationAccess',
    write: (turn) =>
      turn === 0
        ? `setAutomationAccess(id: ${q(ids.automation)}, visibility: PRIVATE, access: [{ principalType: USER, principalId: ${q(member.userId ?? '')}, permissions: [RUN] }]) { ${AUTOMATION} }`
        : `setAutomationAccess(id: ${q(ids.automation)}, visibility: ORGANIZATION, access: [{ principalType: ROLE, principalId: ${q(otherRoleId)}, permissions: [TRACES] }]) { ${AUTOMATION} }`,
    read: () => `{ organization(id: ${q(o())}) { automation(id: ${q(ids.automation)}) { ${AUTOMATION} } } }`,
    pick: (data) => (data.organization as Record<string, unknown>).automation,
  },
  {
    mutation: 'updateAutomation',
    write: (turn) => `updateAutomation(id: ${q(ids.automation)}, input: { description: ${q(`turn ${turn}`)} }) { ${AUTOMATION} }`,
    read: () => `{ organization(id: ${q(o())}) { automation(id: ${q(ids.automation)}) { ${AUTOMATION} } } }`,
    pick: (data) => (data.organization as Record<string, unknown>).automation,
  },
  {
    mutation: 'setEnvVarAccess',
    write: (turn) => `setEnvVarAccess(id: ${q(ids.envVar)}, access: [${turn === 0 ? user() : role()}]) { id name accessRestricted ${ACCESS} }`,
    read: () => `{ organization(id: ${q(o())}) { envVars { edges { node { id name accessRestricted ${ACCESS} } } } } }`,
    pick: (data) => nodeOf((data.organization as Record<string, unknown>).envVars, ids.envVar),
  },
  {
    mutation: 'setLLMConnectionAccess',
    write: (turn) => `setLLMConnectionAccess(id: ${q(ids.llm)}, access: [${turn === 0 ? user() : role()}]) { id name accessRestricted ${ACCESS} }`,
    read: () => `{ organization(id: ${q(o())}) { llmConnections { edges { node { id name accessRestricted ${ACCESS} } } } } }`,
    pick: (data) => nodeOf((data.organization as Record<string, unknown>).llmConnections, ids.llm),
  },
  {
    mutation: 'setGitRepoAccess',
    write: (turn) => `setGitRepoAccess(id: ${q(ids.repo)}, access: [${turn === 0 ? user() : role()}]) { id fullName ${ACCESS} }`,
    read: () => `{ organization(id: ${q(o())}) { gitRepos { edges { node { id fullName ${ACCESS} } } } } }`,
    pick: (data) => nodeOf((data.organization as Record<string, unknown>).gitRepos, ids.repo),
  },
  {
    mutation: 'updateRole',
    write: (turn) =>
      `updateRole(id: ${q(otherRoleId)}, input: { features: [{ feature: tools, level: ${turn === 0 ? 'READ' : 'MANAGE'} }] }) { id name features { feature level } }`,
    read: () => `{ organization(id: ${q(o())}) { roles { id name features { feature level } } } }`,
    pick: (data) => ((data.organization as Record<string, unknown>).roles as Array<{ id: string }>).find((r) => r.id === otherRoleId),
  },
  {
    mutation: 'updateMemberRole',
    write: (turn) =>
      `updateMemberRole(organizationId: ${q(o())}, userId: ${q(member.userId ?? '')}, roleId: ${q(turn === 0 ? otherRoleId : org.memberRoleId)}) { user { id name email } role { id name } }`,
    read: () => `{ organization(id: ${q(o())}) { members { edges { node { user { id name email } role { id name } } } } } }`,
    pick: (data) =>
      ((data.organization as Record<string, unknown>).members as { edges: Array<{ node: { user: { id: string } } }> }).edges
        .map((e) => e.node)
        .find((n) => n.user.id === member.userId),
  },
  {
    mutation: 'updateOrganizationSettings',
    write: (turn) =>
      `updateOrganizationSettings(organizationId: ${q(o())}, input: { plan: ${turn === 0 ? 'TEAM' : 'ENTERPRISE'}, entityRbac: ${turn === 0} }) { plan billingEmail zipDeploymentsEnabled gitRepositoryRbac entityRbac }`,
    read: () => `{ organization(id: ${q(o())}) { settings { plan billingEmail zipDeploymentsEnabled gitRepositoryRbac entityRbac } } }`,
    pick: (data) => (data.organization as Record<string, unknown>).settings,
  },
  {
    mutation: 'updateUsageBudget',
    write: (turn) =>
      `updateUsageBudget(organizationId: ${q(o())}, input: { alertThresholdPercent: ${turn === 0 ? 70 : 85} }) { monthlyTokenBudget alertThresholdPercent }`,
    read: () => `{ organization(id: ${q(o())}) { usage { monthlyTokenBudget alertThresholdPercent } } }`,
    pick: (data) => (data.organization as Record<string, unknown>).usage,
  },
];

describe('every mutation answers what a query reads right after it', () => {
  // Two writes in one operation: the first one's payload loads the object, which the request's
  // loaders would otherwise hand to the second one's payload.
  it.each(ROWS)('$mutation', async ({ write, read, pick }) => {
    const written = await expectAllowed<{ first: unknown; second: unknown }>(gw, org.owner.token, `mutation { first: ${write(0)} second: ${write(1)} }`);
    const fresh = pick(await expectAllowed(gw, org.owner.token, read()));
    expect(fresh).toBeDefined();
    expect(written.second).toEqual(fresh);
    expect(written.first, 'the two writes must differ for the comparison to mean anything').not.toEqual(written.second);
  });
});
