import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertExecution } from '../../src/modules/executions/executions.repository.js';
import type { ExecutionStatus } from '../../src/modules/executions/executions.table.js';
import { connectRepo, deployNew } from '../support/automation-fixtures.js';
import { storeSpans } from '../support/execution-fixtures.js';
import { expectAllowed, expectDenied, expectHidden } from '../support/expect.js';
import { addMember, addServiceAccount, createOrg, createRole, type OrgFixture } from '../support/fixtures.js';
import { startTestGateway, type TestGateway } from '../support/harness.js';

// SPEC §3 `traces`: reading executions and spans needs traces on the automation; an automation
// the caller may not view is NOT_FOUND, as is each of its executions, and shows in no list. With
// crews_dashboards NO_ACCESS nothing about automations is in the caller's schema ('hidden').
type Principal = 'Owner' | 'member, READ' | 'whitelisted, run only' | 'whitelisted, traces' | 'service account, traces' | 'member, NO_ACCESS';
type Outcome = 'ok' | 'NOT_FOUND' | 'FORBIDDEN' | 'hidden';

const EXPECTED: Record<'ORGANIZATION' | 'PRIVATE', Record<Principal, Outcome>> = {
  ORGANIZATION: {
    Owner: 'ok',
    'member, READ': 'ok',
    'whitelisted, run only': 'ok',
    'whitelisted, traces': 'ok',
    'service account, traces': 'ok',
    'member, NO_ACCESS': 'hidden',
  },
  PRIVATE: {
    Owner: 'ok',
    'member, READ': 'NOT_FOUND',
    'whitelisted, run only': 'FORBIDDEN',
    'whitelisted, traces': 'ok',
    'service account, traces': 'ok',
    'member, NO_ACCESS': 'hidden',
  },
};

let gw: TestGateway;
let org: OrgFixture;
const tokens = {} as Record<Principal, string>;
const automations = {} as Record<'ORGANIZATION' | 'PRIVATE' | 'FILTERS', string>;
const executions = {} as Record<'ORGANIZATION' | 'PRIVATE', string>;
const SPANS_PER_RUN = 3;

async function recordRun(automationId: string, status: ExecutionStatus, daysAgo = 0): Promise<string> {
  const row = await insertExecution(gw.db, {
    organizationId: org.organizationId,
    automationId,
    deploymentId: null,
    inputs: '{}',
    status,
    error: status === 'FAILED' ? 'it broke' : null,
  });
  if (daysAgo) await sql`update executions set created_at = now() - make_interval(days => ${daysAgo}) where id = ${row.id}`.execute(gw.db);
  const now = Date.now();
  await storeSpans(
    gw.db,
    org.organizationId,
    row.id,
    Array.from({ length: SPANS_PER_RUN }, (_, i) => ({ name: `step ${i}`, start: now + i, end: now + i + 1, inputTokens: 1, outputTokens: 2 })),
  );
  return row.id;
}

beforeAll(async () => {
  gw = await startTestGateway();
  org = await createOrg(gw);
  const read = await createRole(gw, org.organizationId, { crews_dashboards: 'READ' });
  const runner = await addMember(gw, org.organizationId, read);
  const tracer = await addMember(gw, org.organizationId, read);
  const partner = await addServiceAccount(gw, org.organizationId, read);
  Object.assign(tokens, {
    Owner: org.owner.token,
    'member, READ': (await addMember(gw, org.organizationId, read)).token,
    'whitelisted, run only': runner.token,
    'whitelisted, traces': tracer.token,
    'service account, traces': partner.token,
    'member, NO_ACCESS': (await addMember(gw, org.organizationId, await createRole(gw, org.organizationId, { crews_dashboards: 'NO_ACCESS' }))).token,
  });
  const repo = await connectRepo(gw, org.owner.token, org.organizationId);
  for (const which of ['ORGANIZATION', 'PRIVATE', 'FILTERS'] as const)
    automations[which] = (await deployNew(gw, org.owner.token, org.organizationId, repo)).automationId;
  await expectAllowed(
    gw,
    org.owner.token,
    'mutation($id: ID!, $access: [AutomationAccessInput!]!) { setAutomationAccess(id: $id, visibility: PRIVATE, access: $access) { id } }',
    {
      id: automations.PRIVATE,
      access: [
        { principalType: 'USER', principalId: runner.userId, permissions: ['RUN'] },
        { principalType: 'USER', principalId: tracer.userId, permissions: ['TRACES'] },
        { principalType: 'SERVICE_ACCOUNT', principalId: partner.serviceAccountId, permissions: ['TRACES'] },
      ],
    },
  );
  executions.ORGANIZATION = await recordRun(automations.ORGANIZATION, 'SUCCEEDED');
  executions.PRIVATE = await recordRun(automations.PRIVATE, 'SUCCEEDED');
});
afterAll(async () => gw.close());

const LIST =
  'query($o: ID!, $id: ID!) { organization(id: $o) { automation(id: $id) { executions { totalCount edges { node { id spans { totalCount } } } } } } }';
const ONE = 'query($o: ID!, $id: ID!) { organization(id: $o) { execution(id: $id) { id automation { id } spans { totalCount edges { node { name } } } } } }';
const RANDOM_UUID = '00000000-0000-4000-8000-000000000000';

const cases = (['ORGANIZATION', 'PRIVATE'] as const).flatMap((visibility) =>
  (Object.keys(EXPECTED[visibility]) as Principal[]).map((principal) => [visibility, principal, EXPECTED[visibility][principal]] as const),
);

describe('reading executions and spans needs traces (SPEC §3)', () => {
  it.each(cases)('%s automation, %s: %s', async (visibility, principal, outcome) => {
    const variables = { o: String(org.organizationId), id: automations[visibility] };
    const one = { o: String(org.organizationId), id: executions[visibility] };
    if (outcome === 'ok') {
      const list = await expectAllowed<{
        organization: { automation: { executions: { totalCount: number; edges: Array<{ node: { id: string; spans: { totalCount: number } } }> } } };
      }>(gw, tokens[principal], LIST, variables);
      expect(list.organization.automation.executions.totalCount).toBe(1);
      expect(list.organization.automation.executions.edges.map((e) => e.node)).toEqual([{ id: executions[visibility], spans: { totalCount: SPANS_PER_RUN } }]);
      const read = await expectAllowed<{ organization: { execution: { automation: { id: string }; spans: { edges: Array<{ node: { name: string } }> } } } }>(
        gw,
        tokens[principal],
        ONE,
        one,
      );
      expect(read.organization.execution.automation.id).toBe(automations[visibility]);
      expect(read.organization.execution.spans.edges.map((e) => e.node.name)).toEqual(['step 0', 'step 1', 'step 2']);
      return;
    }
    if (outcome === 'hidden') {
      // Organization.automation and Organization.execution are not in its schema: nothing ran.
      const list = await expectHidden(gw, tokens[principal], LIST, variables, 'automation');
      const byId = await expectHidden(gw, tokens[principal], ONE, one, 'execution');
      expect(byId.raw).not.toContain('step 0');
      expect(list.raw).not.toContain(executions[visibility]);
      return;
    }
    const list = await expectDenied(gw, tokens[principal], LIST, variables, outcome);
    const byId = await expectDenied(gw, tokens[principal], ONE, one, outcome);
    // The denial nulls the field it names alone (README "Nullability"): no execution leaks.
    const denied = outcome === 'NOT_FOUND' ? { automation: null } : { automation: { executions: null } };
    expect(list.data).toEqual({ organization: denied });
    expect(list.errors.map((e) => e.path?.join('.'))).toEqual([outcome === 'NOT_FOUND' ? 'organization.automation' : 'organization.automation.executions']);
    expect(byId.raw).not.toContain('step 0');
    if (outcome === 'NOT_FOUND') {
      // Not viewable reads exactly like an execution that does not exist.
      const random = await expectDenied(gw, tokens[principal], ONE, { ...one, id: RANDOM_UUID }, 'NOT_FOUND');
      expect(byId.errors[0]?.message.replace(executions[visibility], '<id>')).toBe(random.errors[0]?.message.replace(RANDOM_UUID, '<id>'));
    }
    if (outcome === 'FORBIDDEN' && principal === 'whitelisted, run only') expect(byId.errors[0]?.message).toContain('needs the traces permission');
  });

  it("a private automation's executions are in no list or total of a member off its whitelist", async () => {
    const listed = await expectAllowed<{
      organization: { automations: { totalCount: number; edges: Array<{ node: { id: string; executions: { totalCount: number } } }> } };
    }>(
      gw,
      tokens['member, READ'],
      'query($o: ID!) { organization(id: $o) { automations(first: 100) { totalCount edges { node { id executions { totalCount } } } } } }',
      { o: String(org.organizationId) },
    );
    expect(listed.organization.automations.edges.map((e) => e.node.id)).not.toContain(automations.PRIVATE);
    expect(listed.organization.automations.totalCount).toBe(listed.organization.automations.edges.length);
  });

  it("a runner without traces gets its run back, but not the run's spans", async () => {
    const runner = tokens['whitelisted, run only'];
    const ran = await expectAllowed<{ runAutomation: { status: string } }>(gw, runner, 'mutation($id: ID!) { runAutomation(id: $id) { status } }', {
      id: automations.PRIVATE,
    });
    expect(ran.runAutomation.status).toBe('FAILED');
    const denied = await expectDenied(
      gw,
      runner,
      'mutation($id: ID!) { runAutomation(id: $id) { id spans { totalCount } } }',
      { id: automations.PRIVATE },
      'FORBIDDEN',
    );
    expect(denied.errors[0]?.message).toContain('Execution.spans needs the traces permission');
  });
});

describe('Automation.executions', () => {
  const QUERY = `query($o: ID!, $id: ID!, $first: Int, $after: String, $status: ExecutionStatus, $since: DateTime, $until: DateTime) { organization(id: $o) { automation(id: $id) {
    executions(first: $first, after: $after, status: $status, since: $since, until: $until) { totalCount pageInfo { hasNextPage endCursor } edges { node { id status } } } } } }`;
  type Page = {
    organization: {
      automation: {
        executions: {
          totalCount: number;
          pageInfo: { hasNextPage: boolean; endCursor: string | null };
          edges: Array<{ node: { id: string; status: string } }>;
        };
      };
    };
  };
  const ids: string[] = [];
  const page = async (variables: Record<string, unknown>) =>
    (await expectAllowed<Page>(gw, org.owner.token, QUERY, { o: String(org.organizationId), id: automations.FILTERS, ...variables })).organization.automation
      .executions;

  beforeAll(async () => {
    for (const [status, daysAgo] of [
      ['SUCCEEDED', 3],
      ['FAILED', 2],
      ['RUNNING', 1],
      ['SUCCEEDED', 0],
    ] as const)
      ids.push(await recordRun(automations.FILTERS, status, daysAgo));
  });

  it('pages oldest first, in a stable order, with the total', async () => {
    const first = await page({ first: 3 });
    expect(first.totalCount).toBe(4);
    expect(first.edges.map((e) => e.node.id)).toEqual(ids.slice(0, 3));
    const rest = await page({ first: 3, after: first.pageInfo.endCursor });
    expect(rest).toMatchObject({ pageInfo: { hasNextPage: false }, edges: [{ node: { id: ids[3] } }] });
  });

  it('filters by status and by when the run started, totals included', async () => {
    expect(await page({ status: 'SUCCEEDED' })).toMatchObject({ totalCount: 2, edges: [{ node: { id: ids[0] } }, { node: { id: ids[3] } }] });
    const day = 86_400_000;
    const window = await page({ since: new Date(Date.now() - 2.5 * day).toISOString(), until: new Date(Date.now() - 0.5 * day).toISOString() });
    expect(window.totalCount).toBe(2);
    expect(window.edges.map((e) => e.node.status)).toEqual(['FAILED', 'RUNNING']);
  });

  it('a page larger than MAX_PAGE_SIZE is BAD_USER_INPUT', async () => {
    const variables = { o: String(org.organizationId), id: automations.FILTERS, first: gw.config.maxPageSize + 1 };
    const response = await expectDenied(gw, org.owner.token, QUERY, variables, 'BAD_USER_INPUT');
    expect(response.errors[0]?.message).toContain(`from 1 to ${gw.config.maxPageSize}`);
    await expectAllowed(gw, org.owner.token, QUERY, { ...variables, first: gw.config.maxPageSize });
  });
});
