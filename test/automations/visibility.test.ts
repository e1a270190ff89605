import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMember, addServiceAccount, createOrg, createRole, type OrgFixture } from '../support/fixtures.js';
import { connectRepo, deployNew } from '../support/automation-fixtures.js';
import { expectAllowed, expectHidden } from '../support/expect.js';
import { startTestGateway, type TestGateway } from '../support/harness.js';

// SPEC §3 decision procedure, table-driven: principals × actions × visibility, checked through the
// explanation the frontend reads, the list and its totalCount, lookup by id, and a real
// manage_settings mutation. With the role-filtered schema (issue 6) an action none of the
// principal's automations could allow is not in its schema at all: the table's two automations
// carry the same whitelist, and the ORGANIZATION one allows whatever the role level allows, so an
// action is reachable exactly when the principal has a Y for it in some column.
type Principal =
  | 'Owner'
  | 'whitelisted user'
  | 'whitelisted role (run)'
  | 'service account (traces)'
  | 'not whitelisted, READ'
  | 'not whitelisted, MANAGE'
  | 'whitelisted, NO_ACCESS';
type Verdict = 'Y' | 'N';
const ACTIONS = ['VIEW', 'RUN', 'TRACES', 'MANAGE_SETTINGS', 'HUMAN_IN_THE_LOOP'] as const;

//                                            view run traces manage hitl
const EXPECTED: Record<'PRIVATE' | 'ORGANIZATION', Record<Principal, string>> = {
  PRIVATE: {
    Owner: 'Y Y Y Y Y',
    'whitelisted user': 'Y Y Y Y Y',
    'whitelisted role (run)': 'Y Y N N N',
    'service account (traces)': 'Y N Y N N',
    'not whitelisted, READ': 'N N N N N',
    'not whitelisted, MANAGE': 'N N N N N',
    'whitelisted, NO_ACCESS': 'N N N N N',
  },
  ORGANIZATION: {
    Owner: 'Y Y Y Y Y',
    'whitelisted user': 'Y Y Y Y Y',
    'whitelisted role (run)': 'Y Y Y N Y',
    'service account (traces)': 'Y Y Y N Y',
    'not whitelisted, READ': 'Y Y Y N Y',
    'not whitelisted, MANAGE': 'Y Y Y Y Y',
    'whitelisted, NO_ACCESS': 'N N N N N',
  },
};

let gw: TestGateway;
let org: OrgFixture;
const tokens = {} as Record<Principal, string>;
const automations = {} as Record<'PRIVATE' | 'ORGANIZATION', string>;

const ONE = `query($org: ID!, $id: ID!) { organization(id: $org) { automation(id: $id) { id viewerPermissions { permission allowed reason explanation } } } }`;
const LIST = `query($org: ID!) { organization(id: $org) { automations(first: 100) { totalCount edges { node { id } } } } }`;
const UPDATE = `mutation($id: ID!) { updateAutomation(id: $id, input: { description: "touched" }) { id } }`;

beforeAll(async () => {
  gw = await startTestGateway();
  org = await createOrg(gw);
  const read = await createRole(gw, org.organizationId, { crews_dashboards: 'READ' });
  const runRole = await createRole(gw, org.organizationId, { crews_dashboards: 'READ' });
  const manage = await createRole(gw, org.organizationId, { crews_dashboards: 'MANAGE' });
  const none = await createRole(gw, org.organizationId, { crews_dashboards: 'NO_ACCESS' });
  const user = await addMember(gw, org.organizationId, read);
  const roleMember = await addMember(gw, org.organizationId, runRole);
  const partner = await addServiceAccount(gw, org.organizationId, read);
  const noAccess = await addMember(gw, org.organizationId, none);
  Object.assign(tokens, {
    Owner: org.owner.token,
    'whitelisted user': user.token,
    'whitelisted role (run)': roleMember.token,
    'service account (traces)': partner.token,
    'not whitelisted, READ': (await addMember(gw, org.organizationId, read)).token,
    'not whitelisted, MANAGE': (await addMember(gw, org.organizationId, manage)).token,
    'whitelisted, NO_ACCESS': noAccess.token,
  });
  const repo = await connectRepo(gw, org.owner.token, org.organizationId);
  for (const visibility of ['PRIVATE', 'ORGANIZATION'] as const) {
    const { automationId } = await deployNew(gw, org.owner.token, org.organizationId, repo);
    automations[visibility] = automationId;
    await expectAllowed(
      gw,
      org.owner.token,
      `mutation($id: ID!, $v: AutomationVisibility!, $access: [AutomationAccessInput!]!) {
      setAutomationAccess(id: $id, visibility: $v, access: $access) { id } }`,
      {
        id: automationId,
        v: visibility,
        access: [
          { principalType: 'USER', principalId: user.userId },
          { principalType: 'ROLE', principalId: runRole, permissions: ['RUN'] },
          { principalType: 'SERVICE_ACCOUNT', principalId: partner.serviceAccountId, permissions: ['TRACES'] },
          { principalType: 'USER', principalId: noAccess.userId },
        ],
      },
    );
  }
});
afterAll(async () => gw.close());

const cases = (['PRIVATE', 'ORGANIZATION'] as const).flatMap((visibility) =>
  (Object.keys(EXPECTED[visibility]) as Principal[]).map((principal) => [visibility, principal, EXPECTED[visibility][principal]] as const),
);

/** Whether the principal's schema holds `action`: some automation of the table allows it. */
const reachable = (principal: Principal, action: (typeof ACTIONS)[number]) =>
  (['PRIVATE', 'ORGANIZATION'] as const).some((visibility) => EXPECTED[visibility][principal].split(' ')[ACTIONS.indexOf(action)] === 'Y');

describe('SPEC §3 decision procedure', () => {
  it.each(cases)('%s automation, %s: %s', async (visibility, principal, row) => {
    const expected = row.split(' ') as Verdict[];
    const token = tokens[principal];
    const id = automations[visibility];
    const variables = { org: String(org.organizationId), id };

    // Viewing: allowed, NOT_FOUND (an automation one may not view does not exist for one), or,
    // when no automation could be viewed, the lookup and the list are not in the schema.
    if (!reachable(principal, 'VIEW')) {
      await expectHidden(gw, token, ONE, variables, 'automation');
      await expectHidden(gw, token, LIST, { org: String(org.organizationId) }, 'automations');
    } else {
      const one = await gw.gql<{ organization: { automation: { viewerPermissions: Array<{ permission: string; allowed: boolean; reason: string }> } } }>(
        token,
        ONE,
        variables,
      );
      const list = await gw.gql<{ organization: { automations: { totalCount: number; edges: Array<{ node: { id: string } }> } } }>(token, LIST, {
        org: String(org.organizationId),
      });
      expect(list.errors).toEqual([]);
      if (expected[0] === 'Y') {
        expect(one.errors).toEqual([]);
        const decisions = one.data?.organization.automation.viewerPermissions ?? [];
        expect(ACTIONS.map((action) => (decisions.find((d) => d.permission === action)?.allowed ? 'Y' : 'N')).join(' ')).toBe(row);
        expect(list.data?.organization.automations.edges.map((e) => e.node.id)).toContain(id);
      } else {
        expect(one.errors.map((e) => e.extensions?.code)).toEqual(['NOT_FOUND']);
        expect(list.data?.organization.automations.edges.map((e) => e.node.id)).not.toContain(id);
      }
      expect(list.data?.organization.automations.totalCount).toBe(list.data?.organization.automations.edges.length);
    }

    // manage_settings: allowed; FORBIDDEN on an automation one views; NOT_FOUND on one one does
    // not; not in the schema when no automation could allow it.
    if (!reachable(principal, 'MANAGE_SETTINGS')) {
      await expectHidden(gw, token, UPDATE, { id }, 'updateAutomation');
    } else {
      const update = await gw.gql(token, UPDATE, { id });
      const code = update.errors[0]?.extensions?.code;
      expect(code ?? 'ok').toBe(expected[3] === 'Y' ? 'ok' : expected[0] === 'Y' ? 'FORBIDDEN' : 'NOT_FOUND');
    }
  });

  it('a denial says which rule decided', async () => {
    const data = await expectAllowed<{
      organization: { automation: { viewerPermissions: Array<{ permission: string; reason: string; explanation: string }> } };
    }>(gw, tokens['whitelisted role (run)'], ONE, { org: String(org.organizationId), id: automations.PRIVATE });
    const manage = data.organization.automation.viewerPermissions.find((d) => d.permission === 'MANAGE_SETTINGS');
    expect(manage?.reason).toBe('MISSING_GRANT');
    expect(manage?.explanation).toContain('manage_settings');
  });

  it('the deployer gets full_access on the automation it deployed', async () => {
    const developer = await addMember(gw, org.organizationId, await createRole(gw, org.organizationId, { crews_dashboards: 'READ' }));
    const repo = await connectRepo(gw, org.owner.token, org.organizationId);
    const { automationId } = await deployNew(gw, developer.token, org.organizationId, repo, { visibility: 'PRIVATE' });
    const data = await expectAllowed<{ organization: { automation: { viewerPermissions: Array<{ allowed: boolean; reason: string }> } } }>(
      gw,
      developer.token,
      ONE,
      { org: String(org.organizationId), id: automationId },
    );
    expect(data.organization.automation.viewerPermissions.every((d) => d.allowed && d.reason === 'GRANT')).toBe(true);
  });
});
