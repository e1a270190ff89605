import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertExecution } from '../../src/modules/executions/executions.repository.js';
import type { ExecutionStatus } from '../../src/modules/executions/executions.table.js';
import { insertSpans, sourceIds } from '../../src/modules/executions/spans.repository.js';
import { connectRepo, deployNew } from '../support/automation-fixtures.js';
import { hex, storedSpan } from '../support/execution-fixtures.js';
import { expectAllowed, expectDenied } from '../support/expect.js';
import { createOrg, type OrgFixture } from '../support/fixtures.js';
import { startTestGateway, type TestGateway } from '../support/harness.js';

// Issue 11 point 5, a trace API made for integrations: filters on executions and spans, stable
// orders, counts that agree with the pages.
let gw: TestGateway;
let org: OrgFixture;
const automations: string[] = [];
const runs: Array<{ id: string; automationId: string; status: ExecutionStatus; startedDaysAgo: number; updatedDaysAgo: number }> = [];
let traced = '';
const TRACE = hex(16);
const DAY = 86_400_000;
const T0 = Date.UTC(2026, 10, 30, 12);

async function record(automationId: string, status: ExecutionStatus, startedDaysAgo: number): Promise<string> {
  const row = await insertExecution(gw.db, {
    organizationId: org.organizationId,
    automationId,
    deploymentId: null,
    inputs: '{}',
    status,
    error: status === 'FAILED' ? 'broke' : null,
  });
  await sql`update executions set created_at = now() - make_interval(days => ${startedDaysAgo}), updated_at = now() - make_interval(days => ${startedDaysAgo}) where id = ${row.id}`.execute(
    gw.db,
  );
  runs.push({ id: row.id, automationId, status, startedDaysAgo, updatedDaysAgo: startedDaysAgo });
  return row.id;
}

/** Seven spans: three named llm.chat (one an error), two of the second trace, times a second apart. */
async function storeTrace(executionId: string): Promise<void> {
  const source = {
    resource: { attributes: {}, droppedAttributesCount: 0, schemaUrl: null },
    scope: { name: 'crew', version: null, attributes: {}, droppedAttributesCount: 0, schemaUrl: null },
  };
  const sourceId = (await sourceIds(gw.db, org.organizationId, [source])).get(source) ?? -1;
  const spans = ['crew', 'llm.chat', 'llm.chat', 'tool', 'llm.chat', 'tool', 'end'].map((name, i) =>
    storedSpan(executionId, sourceId, T0 + i * 1000, {
      traceId: i >= 5 ? TRACE : 'a'.repeat(32),
      name,
      endTimeUnixNano: `${T0 + i * 1000 + 10}000000`,
      statusCode: i === 2 ? 2 : 1,
      statusMessage: i === 2 ? 'rate limited' : null,
    }),
  );
  await insertSpans(gw.db, org.organizationId, spans);
}

beforeAll(async () => {
  gw = await startTestGateway();
  org = await createOrg(gw);
  const repo = await connectRepo(gw, org.owner.token, org.organizationId);
  for (let i = 0; i < 3; i++) automations.push((await deployNew(gw, org.owner.token, org.organizationId, repo)).automationId);
  const [a = '', b = '', c = ''] = automations;
  traced = await record(a, 'SUCCEEDED', 5);
  await record(a, 'FAILED', 4);
  await record(a, 'RUNNING', 1);
  await record(b, 'SUCCEEDED', 3);
  await record(b, 'SUCCEEDED', 0);
  await record(c, 'QUEUED', 2);
  // Spans arriving change the run: it counts as updated now.
  await storeTrace(traced);
  for (const run of runs) if (run.id === traced) run.updatedDaysAgo = 0;
});
afterAll(async () => gw.close());

const o = () => String(org.organizationId);
const ago = (days: number) => new Date(Date.now() - days * DAY - 60_000).toISOString();

type ExecutionPage = { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string | null }; edges: Array<{ node: { id: string } }> };

/** Every page of Organization.executions with this filter, two at a time; and the totalCount. */
async function pageAll(filter: Record<string, unknown>, orderBy = 'CREATED_AT'): Promise<{ ids: string[]; totalCount: number }> {
  const query = `query($o: ID!, $f: ExecutionFilter, $after: String, $order: ExecutionOrder) { organization(id: $o) {
    executions(first: 2, after: $after, filter: $f, orderBy: $order) { totalCount pageInfo { hasNextPage endCursor } edges { node { id } } } } }`;
  const ids: string[] = [];
  let after: string | null = null;
  let totalCount = -1;
  for (;;) {
    const data: { organization: { executions: ExecutionPage } } = await expectAllowed(gw, org.owner.token, query, { o: o(), f: filter, after, order: orderBy });
    totalCount = data.organization.executions.totalCount;
    ids.push(...data.organization.executions.edges.map((e) => e.node.id));
    if (!data.organization.executions.pageInfo.hasNextPage) return { ids, totalCount };
    after = data.organization.executions.pageInfo.endCursor;
  }
}

describe('Organization.executions', () => {
  const byAge = () => [...runs].sort((x, y) => y.startedDaysAgo - x.startedDaysAgo);
  it.each<[string, () => Record<string, unknown>, (r: (typeof runs)[number]) => boolean]>([
    ['no filter', () => ({}), () => true],
    ['one automation', () => ({ automationIds: [automations[0]] }), (r) => r.automationId === automations[0]],
    ['two automations', () => ({ automationIds: [automations[0], automations[2]] }), (r) => r.automationId !== automations[1]],
    ['statuses', () => ({ statuses: ['SUCCEEDED', 'QUEUED'] }), (r) => r.status === 'SUCCEEDED' || r.status === 'QUEUED'],
    ['started after', () => ({ startedAfter: ago(3) }), (r) => r.startedDaysAgo <= 3],
    ['started before', () => ({ startedBefore: ago(2) }), (r) => r.startedDaysAgo > 2],
    [
      'a window and a status',
      () => ({ startedAfter: ago(5), startedBefore: ago(1), statuses: ['SUCCEEDED'] }),
      (r) => r.startedDaysAgo <= 5 && r.startedDaysAgo > 1 && r.status === 'SUCCEEDED',
    ],
    ['updated since', () => ({ updatedSince: ago(2) }), (r) => r.updatedDaysAgo <= 2],
    ['an empty automation list', () => ({ automationIds: [] }), () => false],
  ])('%s: pages list exactly the matching runs, oldest first, and totalCount agrees', async (_what, filter, matches) => {
    const expected = byAge()
      .filter(matches)
      .map((r) => r.id);
    expect(await pageAll(filter())).toEqual({ ids: expected, totalCount: expected.length });
  });

  it('UPDATED_AT lists by last change; a run that changes moves to the end', async () => {
    const before = await pageAll({}, 'UPDATED_AT');
    // The traced run changed last (its spans), and came after every run recorded before it.
    expect(before.ids.slice(0, 4)).toEqual(
      byAge()
        .filter((r) => r.id !== traced)
        .slice(0, 4)
        .map((r) => r.id),
    );
    expect(before.ids.at(-1)).toBe(traced);
    const queued = runs.find((r) => r.status === 'QUEUED')?.id ?? '';
    await sql`update executions set status = 'RUNNING', updated_at = now() where id = ${queued}`.execute(gw.db);
    const after = await pageAll({ updatedSince: ago(0) }, 'UPDATED_AT');
    expect(after.ids.at(-1)).toBe(queued);
    expect(after.ids).toContain(queued);
  });

  it('a cursor of one order is BAD_USER_INPUT in the other', async () => {
    const query = `query($o: ID!, $after: String, $order: ExecutionOrder) { organization(id: $o) { executions(first: 1, after: $after, orderBy: $order) { pageInfo { endCursor } } } }`;
    const first = await expectAllowed<{ organization: { executions: { pageInfo: { endCursor: string } } } }>(gw, org.owner.token, query, {
      o: o(),
      order: 'CREATED_AT',
    });
    await expectDenied(gw, org.owner.token, query, { o: o(), after: first.organization.executions.pageInfo.endCursor, order: 'UPDATED_AT' }, 'BAD_USER_INPUT');
  });

  it('a malformed automation id names the field', async () => {
    const denied = await expectDenied(
      gw,
      org.owner.token,
      'query($o: ID!) { organization(id: $o) { executions(filter: { automationIds: ["x"] }) { totalCount } } }',
      { o: o() },
      'BAD_USER_INPUT',
    );
    expect(denied.errors[0]?.extensions?.field).toBe('filter.automationIds[0]');
  });

  it('Automation.executions takes the same filter, with its own status, since and until', async () => {
    const data = await expectAllowed<{ organization: { automation: { executions: ExecutionPage } } }>(
      gw,
      org.owner.token,
      'query($o: ID!, $a: ID!, $since: DateTime) { organization(id: $o) { automation(id: $a) { executions(status: SUCCEEDED, filter: { startedAfter: $since }) { totalCount edges { node { id } } } } } }',
      { o: o(), a: automations[0], since: ago(6) },
    );
    expect(data.organization.automation.executions.edges.map((e) => e.node.id)).toEqual([traced]);
    expect(data.organization.automation.executions.totalCount).toBe(1);
  });
});

describe('Execution.spans filters', () => {
  const SPANS = `query($o: ID!, $id: ID!, $f: SpanFilter) { organization(id: $o) { execution(id: $id) { spans(first: 100, filter: $f) { totalCount edges { node { name statusCode traceId } } } } } }`;
  type Spans = {
    organization: { execution: { spans: { totalCount: number; edges: Array<{ node: { name: string; statusCode: string; traceId: string } }> } } };
  };
  it.each<[string, Record<string, unknown>, string[]]>([
    ['none', {}, ['crew', 'llm.chat', 'llm.chat', 'tool', 'llm.chat', 'tool', 'end']],
    ['by name', { name: 'llm.chat' }, ['llm.chat', 'llm.chat', 'llm.chat']],
    ['errors only', { errorsOnly: true }, ['llm.chat']],
    ['by trace', { traceId: TRACE.toUpperCase() }, ['tool', 'end']],
    ['a time window', { startedAfter: new Date(T0 + 1000).toISOString(), startedBefore: new Date(T0 + 4000).toISOString() }, ['llm.chat', 'llm.chat', 'tool']],
    ['a name in a window', { name: 'tool', startedAfter: new Date(T0 + 4000).toISOString() }, ['tool']],
  ])('%s: the page and totalCount agree', async (_what, filter, names) => {
    const data = await expectAllowed<Spans>(gw, org.owner.token, SPANS, { o: o(), id: traced, f: filter });
    expect(data.organization.execution.spans.edges.map((e) => e.node.name)).toEqual(names);
    expect(data.organization.execution.spans.totalCount).toBe(names.length);
  });

  it('a trace id that is not 32 hex characters names the field', async () => {
    const denied = await expectDenied(gw, org.owner.token, SPANS, { o: o(), id: traced, f: { traceId: 'abc' } }, 'BAD_USER_INPUT');
    expect(denied.errors[0]?.extensions?.field).toBe('filter.traceId');
  });
});
