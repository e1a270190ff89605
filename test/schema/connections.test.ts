import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertExecution } from '../../src/modules/executions/executions.repository.js';
import { connectRepo, DEPLOY } from '../support/automation-fixtures.js';
import { storeSpans } from '../support/execution-fixtures.js';
import { expectAllowed } from '../support/expect.js';
import { addMember, createOrg, type OrgFixture } from '../support/fixtures.js';
import { startTestGateway, type TestGateway } from '../support/harness.js';

// Issue 12 §5: Relay's PageInfo in full on every connection, and a deploy's result that leads to
// its automation.

interface Page {
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
  edges: Array<{ cursor: string }>;
}

const PAGE_INFO = 'pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor }';
// One list of each cursor kind: (created_at, id), executions in UPDATED_AT order, spans.
const LISTS = {
  members: `query($o: ID!, $after: String) { organization(id: $o) { members(first: 2, after: $after) { ${PAGE_INFO} } } }`,
  'executions by update': `query($o: ID!, $after: String) { organization(id: $o) { executions(first: 2, after: $after, orderBy: UPDATED_AT) { ${PAGE_INFO} } } }`,
  spans: `query($o: ID!, $e: ID!, $after: String) { organization(id: $o) { execution(id: $e) { spans(first: 2, after: $after) { ${PAGE_INFO} } } } }`,
} as const;
const DEPLOY_WITH_AUTOMATION = DEPLOY.replace('input: $input) {', 'input: $input) { automation { id name visibility }');

let gw: TestGateway;
let org: OrgFixture;
let executionId: string;

beforeAll(async () => {
  gw = await startTestGateway();
  org = await createOrg(gw);
  for (let i = 0; i < 2; i++) await addMember(gw, org.organizationId, org.memberRoleId);
  const repo = await connectRepo(gw, org.owner.token, org.organizationId);
  const deployed = await expectAllowed<{ deployAutomation: { automation: { id: string } } }>(gw, org.owner.token, DEPLOY_WITH_AUTOMATION, {
    org: String(org.organizationId),
    input: { name: 'paged', source: { gitRepoId: repo, ref: 'main' } },
  });
  const automationId = deployed.deployAutomation.automation.id;
  for (let i = 0; i < 3; i++) {
    executionId = (
      await insertExecution(gw.db, { organizationId: org.organizationId, automationId, deploymentId: null, inputs: '{}', status: 'SUCCEEDED', error: null })
    ).id;
  }
  await storeSpans(
    gw.db,
    org.organizationId,
    executionId,
    [0, 1, 2].map((i) => ({ name: `step ${i}`, start: 1_000 * i, end: 1_000 * i + 10 })),
  );
});
afterAll(async () => gw.close());

async function page(list: keyof typeof LISTS, after: string | null): Promise<Page> {
  type Data = { organization: { members?: Page; executions?: Page; execution?: { spans: Page } } };
  const data = await expectAllowed<Data>(gw, org.owner.token, LISTS[list], { o: String(org.organizationId), e: executionId, after });
  const { members, executions, execution } = data.organization;
  const found = members ?? executions ?? execution?.spans;
  if (!found) throw new Error(`no page in ${JSON.stringify(data)}`);
  return found;
}

describe('PageInfo', () => {
  it.each(Object.keys(LISTS) as Array<keyof typeof LISTS>)('%s: the first page and the next, both ends named', async (list) => {
    const first = await page(list, null);
    expect(first.edges).toHaveLength(2);
    expect(first.pageInfo).toEqual({ hasNextPage: true, hasPreviousPage: false, startCursor: first.edges[0]?.cursor, endCursor: first.edges[1]?.cursor });

    const second = await page(list, first.pageInfo.endCursor);
    expect(second.edges).toHaveLength(1);
    expect(second.pageInfo).toEqual({ hasNextPage: false, hasPreviousPage: true, startCursor: second.edges[0]?.cursor, endCursor: second.edges[0]?.cursor });
  });
});

describe('Deployment.automation', () => {
  it('deployAutomation answers with the automation it created, and that automation leads back to it', async () => {
    const repo = await connectRepo(gw, org.owner.token, org.organizationId);
    type Deployed = { deployAutomation: { id: string; automation: { id: string; name: string; visibility: string } } };
    const data = await expectAllowed<Deployed>(gw, org.owner.token, DEPLOY_WITH_AUTOMATION, {
      org: String(org.organizationId),
      input: { name: 'found-again', source: { gitRepoId: repo, ref: 'main' } },
    });
    expect(data.deployAutomation.automation).toMatchObject({ name: 'found-again' });
    const back = await expectAllowed<{ organization: { automation: { latestDeployment: { id: string; automation: { id: string } } } } }>(
      gw,
      org.owner.token,
      `query($o: ID!, $id: ID!) { organization(id: $o) { automation(id: $id) { latestDeployment { id automation { id } } } } }`,
      { o: String(org.organizationId), id: data.deployAutomation.automation.id },
    );
    expect(back.organization.automation.latestDeployment).toEqual({ id: data.deployAutomation.id, automation: { id: data.deployAutomation.automation.id } });
  });
});
