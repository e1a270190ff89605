import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertExecution } from '../../src/modules/executions/executions.repository.js';
import { connectRepo, DEPLOY, deployNew, storeArchive } from '../support/automation-fixtures.js';
import { storeSpans } from '../support/execution-fixtures.js';
import { expectAllowed, expectHidden } from '../support/expect.js';
import { addServiceAccount, createOrg, createRole, type Actor, type OrgFixture } from '../support/fixtures.js';
import { startTestGateway, type TestGateway } from '../support/harness.js';

// Issue 4 §6: a partner integration's service-account token, granted traces on automation X,
// pages X's executions and spans and nothing else. The organization confines it the way SPEC §3
// and §4 allow: a role with crews_dashboards READ only, X and Y private with the partner on X's
// whitelist for TRACES alone, Git RBAC on and zip deployments off (so READ cannot deploy).
let gw: TestGateway;
let org: OrgFixture;
let other: OrgFixture;
let partner: Actor;
const ids: Record<'x' | 'y' | 'xRun' | 'yRun' | 'otherAutomation', string> = { x: '', y: '', xRun: '', yRun: '', otherAutomation: '' };
const SPANS = 7;

async function recordRun(organizationId: number, automationId: string): Promise<string> {
  const row = await insertExecution(gw.db, {
    organizationId,
    automationId,
    deploymentId: null,
    inputs: '{"topic":"partner"}',
    status: 'SUCCEEDED',
    error: null,
  });
  await storeSpans(
    gw.db,
    organizationId,
    row.id,
    Array.from({ length: SPANS }, (_, i) => ({
      name: `step ${i}`,
      start: Date.UTC(2026, 10, 23, 12, 0, i),
      end: Date.UTC(2026, 10, 23, 12, 0, i + 1),
      inputTokens: 10,
      outputTokens: 5,
    })),
  );
  return row.id;
}

beforeAll(async () => {
  gw = await startTestGateway();
  org = await createOrg(gw);
  other = await createOrg(gw);
  const repo = await connectRepo(gw, org.owner.token, org.organizationId);
  ids.x = (await deployNew(gw, org.owner.token, org.organizationId, repo, { visibility: 'PRIVATE' })).automationId;
  ids.y = (await deployNew(gw, org.owner.token, org.organizationId, repo, { visibility: 'PRIVATE' })).automationId;
  ids.otherAutomation = (
    await deployNew(gw, other.owner.token, other.organizationId, await connectRepo(gw, other.owner.token, other.organizationId))
  ).automationId;
  partner = await addServiceAccount(gw, org.organizationId, await createRole(gw, org.organizationId, { crews_dashboards: 'READ' }, 'Partner'));
  await expectAllowed(
    gw,
    org.owner.token,
    'mutation($id: ID!, $sa: ID!) { setAutomationAccess(id: $id, visibility: PRIVATE, access: [{ principalType: SERVICE_ACCOUNT, principalId: $sa, permissions: [TRACES] }]) { id } }',
    { id: ids.x, sa: partner.serviceAccountId },
  );
  await expectAllowed(
    gw,
    org.owner.token,
    'mutation($o: ID!) { updateOrganizationSettings(organizationId: $o, input: { gitRepositoryRbac: true, zipDeploymentsEnabled: false }) { plan } }',
    { o: String(org.organizationId) },
  );
  ids.xRun = await recordRun(org.organizationId, ids.x);
  ids.yRun = await recordRun(org.organizationId, ids.y);
  await recordRun(other.organizationId, ids.otherAutomation);
});
afterAll(async () => gw.close());

const o = () => String(org.organizationId);
/** Declares only the variables an operation uses: graphql-js refuses unused ones. */
const declared = (text: string) =>
  ['o', 'x']
    .filter((name) => text.includes(`$${name}`))
    .map((name) => `$${name}: ID!`)
    .join(', ');

describe('a partner token granted traces on one automation', () => {
  it("pages that automation's executions and each execution's spans, in order", async () => {
    const executions = await expectAllowed<{
      organization: { automation: { executions: { totalCount: number; edges: Array<{ node: { id: string; status: string } }> } } };
    }>(
      gw,
      partner.token,
      'query($o: ID!, $id: ID!) { organization(id: $o) { automation(id: $id) { executions(first: 10) { totalCount edges { node { id status } } } } } }',
      { o: o(), id: ids.x },
    );
    expect(executions.organization.automation.executions).toMatchObject({ totalCount: 1, edges: [{ node: { id: ids.xRun, status: 'SUCCEEDED' } }] });
    const names: string[] = [];
    let after: string | null = null;
    do {
      type Page = {
        organization: { execution: { spans: { edges: Array<{ node: { name: string } }>; pageInfo: { hasNextPage: boolean; endCursor: string | null } } } };
      };
      const page: Page = await expectAllowed<Page>(
        gw,
        partner.token,
        'query($o: ID!, $id: ID!, $after: String) { organization(id: $o) { execution(id: $id) { spans(first: 3, after: $after) { edges { node { name } } pageInfo { hasNextPage endCursor } } } } }',
        { o: o(), id: ids.xRun, after },
      );
      names.push(...page.organization.execution.spans.edges.map((e) => e.node.name));
      after = page.organization.execution.spans.pageInfo.hasNextPage ? page.organization.execution.spans.pageInfo.endCursor : null;
    } while (after);
    expect(names).toEqual(Array.from({ length: SPANS }, (_, i) => `step ${i}`));
  });

  it('sees no other automation: Y is absent from the list and NOT_FOUND, with its runs', async () => {
    const list = await expectAllowed<{ organization: { automations: { totalCount: number; edges: Array<{ node: { id: string } }> } } }>(
      gw,
      partner.token,
      'query($o: ID!) { organization(id: $o) { automations { totalCount edges { node { id } } } } }',
      { o: o() },
    );
    expect(list.organization.automations).toEqual({ totalCount: 1, edges: [{ node: { id: ids.x } }] });
    for (const [query, variables] of [
      ['query($o: ID!, $id: ID!) { organization(id: $o) { automation(id: $id) { name } } }', { o: o(), id: ids.y }],
      ['query($o: ID!, $id: ID!) { organization(id: $o) { execution(id: $id) { id } } }', { o: o(), id: ids.yRun }],
    ] as const) {
      expect((await gw.gql(partner.token, query, variables)).errors.map((e) => e.extensions?.code)).toEqual(['NOT_FOUND']);
    }
  });

  it('gets NOT_FOUND for any other organization', async () => {
    const response = await gw.gql(partner.token, 'query($o: ID!) { organization(id: $o) { name } }', { o: String(other.organizationId) });
    expect(response.errors.map((e) => e.extensions?.code)).toEqual(['NOT_FOUND']);
  });

  // Its schema (crews_dashboards READ, a service account, a TRACES grant) holds none of these:
  // each fails validation as a field that does not exist, and nothing runs.
  it.each([
    ['settings', 'organization(id: $o) { settings { plan } }', 'settings'],
    ['defaults', 'organization(id: $o) { defaults { defaultRunTimeoutSeconds } }', 'defaults'],
    ['members', 'organization(id: $o) { members { totalCount } }', 'members'],
    ['roles', 'organization(id: $o) { roles { name } }', 'roles'],
    ['service accounts', 'organization(id: $o) { serviceAccounts { totalCount } }', 'serviceAccounts'],
    ['env vars', 'organization(id: $o) { envVars { totalCount } }', 'envVars'],
    ['LLM connections', 'organization(id: $o) { llmConnections { totalCount } }', 'llmConnections'],
    ['tools', 'organization(id: $o) { tools { totalCount } }', 'tools'],
    ['agents', 'organization(id: $o) { agents { totalCount } }', 'agents'],
    ['invitations', 'organization(id: $o) { invitations { totalCount } }', 'invitations'],
    ['training runs', 'organization(id: $o) { trainingRuns { totalCount } }', 'trainingRuns'],
    ['Studio projects', 'organization(id: $o) { studioProjects { totalCount } }', 'studioProjects'],
    ['usage', 'organization(id: $o) { usage { alertThresholdPercent } }', 'usage'],
    ['audit log', 'organization(id: $o) { auditLog { totalCount } }', 'auditLog'],
    ['namespace', 'organization(id: $o) { namespace { namespace } }', 'namespace'],
    ["X's access list", 'organization(id: $o) { automation(id: $x) { accessList { principalId } } }', 'accessList'],
    ["members' emails (SPEC §6), on the paths it does reach", 'organization(id: $o) { automation(id: $x) { createdBy { id email } } }', 'email'],
  ])('does not see %s: it is not in its schema', async (_what, selection, field) => {
    await expectHidden(gw, partner.token, `query(${declared(selection)}) { ${selection} }`, { o: o(), x: ids.x }, field);
  });

  it.each([
    ['redeploy X', 'redeployAutomation(id: $x) { id }', 'redeployAutomation'],
    ["change X's access", 'setAutomationAccess(id: $x, visibility: ORGANIZATION, access: []) { id }', 'setAutomationAccess'],
    ['create a token', 'createApiToken(organizationId: $o, input: { name: "more" }) { secret }', 'createApiToken'],
    ['create a role', 'createRole(organizationId: $o, input: { name: "Escalate" }) { id }', 'createRole'],
  ])('cannot %s: the mutation is not in its schema', async (_what, mutation, field) => {
    await expectHidden(gw, partner.token, `mutation(${declared(mutation)}) { ${mutation} }`, { o: o(), x: ids.x }, field);
  });

  // Running is reachable with crews_dashboards READ (on ORGANIZATION automations), so the field is
  // in its schema; on X its grant lacks `run`, and Y it cannot see.
  it('is FORBIDDEN to run X (its grant lacks run) and gets NOT_FOUND for Y', async () => {
    const run = await gw.gql(partner.token, 'mutation($x: ID!) { runAutomation(id: $x) { id } }', { x: ids.x });
    expect(run.errors.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);
    expect(run.errors[0]?.message).toMatch(/grant/i);
    const runY = await gw.gql(partner.token, 'mutation($x: ID!) { runAutomation(id: $x) { id } }', { x: ids.y });
    expect(runY.errors.map((e) => e.extensions?.code)).toEqual(['NOT_FOUND']);
  });

  it('sees no repository to deploy from (Git RBAC) and may not deploy a zip', async () => {
    const repos = await expectAllowed<{ organization: { gitRepos: { totalCount: number } } }>(
      gw,
      partner.token,
      'query($o: ID!) { organization(id: $o) { gitRepos { totalCount } } }',
      { o: o() },
    );
    expect(repos.organization.gitRepos.totalCount).toBe(0);
    const archive = await storeArchive(gw, org.organizationId);
    const zip = await gw.gql(partner.token, DEPLOY, { org: o(), input: { name: 'partner-zip', source: { archiveId: archive.id } } });
    expect(zip.errors.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);
    expect(zip.errors[0]?.message).toContain('zip deployments are disabled');
  });

  it('has its use recorded, and stops working once revoked', async () => {
    const token = await gw.db
      .selectFrom('apiTokens')
      .select(['id', 'lastUsedAt'])
      .where('serviceAccountId', '=', partner.serviceAccountId)
      .executeTakeFirstOrThrow();
    expect(token.lastUsedAt).toBeInstanceOf(Date);
    await expectAllowed(gw, org.owner.token, 'mutation($id: ID!) { revokeApiToken(id: $id) { revokedAt } }', { id: token.id });
    expect((await gw.gql(partner.token, '{ viewer { serviceAccount { id } } }')).errors.map((e) => e.extensions?.code)).toEqual(['UNAUTHENTICATED']);
  });
});
