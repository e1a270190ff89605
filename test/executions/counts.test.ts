import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pruneTraces } from '../../src/ingest/prune-traces.js';
import { advanceExecution, insertExecution } from '../../src/modules/executions/executions.repository.js';
import type { ExecutionStatus } from '../../src/modules/executions/executions.table.js';
import { insertSpans, sourceIds } from '../../src/modules/executions/spans.repository.js';
import type { SpanSource } from '../../src/modules/executions/spans.table.js';
import { hex, storedSpan } from '../support/execution-fixtures.js';
import { expectAllowed } from '../support/expect.js';
import { createOrg, type OrgFixture } from '../support/fixtures.js';
import { startTestGateway, type TestGateway } from '../support/harness.js';

// Issue 16 §4, counts that don't rescan: the totalCount of Automation.executions,
// Organization.executions and Execution.spans reads counters kept as rows are written
// (migrations/2026_12_13_140000_execution_counts.ts, the ingest and the pruning), and stays
// exactly what count(*) over the same rows says, through inserts, status changes, deletes,
// cascades, pruning and writers at once. Each check compares the API with a count(*) of its own.
let gw: TestGateway;
let org: OrgFixture;
let automations: [string, string, string];
const STATUSES: ExecutionStatus[] = ['QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED'];

async function newAutomation(name: string): Promise<string> {
  const row = await gw.db
    .insertInto('automations')
    .values({ organizationId: org.organizationId, name, createdByUserId: null })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

function newExecution(automationId: string, status: ExecutionStatus) {
  return insertExecution(gw.db, {
    organizationId: org.organizationId,
    automationId,
    deploymentId: null,
    inputs: '{}',
    status,
    error: status === 'FAILED' ? 'failed' : null,
  });
}

// --- Executions -------------------------------------------------------------------------------

interface ListCase {
  list: string;
  /** The API's list, its totalCount selected. */
  query: string;
  variables: () => Record<string, unknown>;
  /** The same executions, counted in SQL. */
  where: () => ReturnType<typeof sql>;
}

const automationList = (args: string) =>
  `query($o: ID!, $a: ID!) { organization(id: $o) { automation(id: $a) { executions(first: 1${args}) { totalCount } } } }`;
const organizationList = (args: string) => `query($o: ID!) { organization(id: $o) { executions(first: 1${args}) { totalCount } } }`;
const hourAgo = () => new Date(Date.now() - 3_600_000).toISOString();

const LISTS: ListCase[] = [
  { list: 'Automation.executions', query: automationList(''), variables: () => ({ a: automations[0] }), where: () => sql`automation_id = ${automations[0]}` },
  ...STATUSES.map((status) => ({
    list: `Automation.executions(status: ${status})`,
    query: automationList(`, status: ${status}`),
    variables: () => ({ a: automations[0] }),
    where: () => sql`automation_id = ${automations[0]} and status = ${status}`,
  })),
  {
    list: 'Automation.executions(filter: { statuses: [RUNNING, FAILED] })',
    query: automationList(', filter: { statuses: [RUNNING, FAILED] }'),
    variables: () => ({ a: automations[1] }),
    where: () => sql`automation_id = ${automations[1]} and status in ('RUNNING', 'FAILED')`,
  },
  {
    list: 'Automation.executions(since: an hour ago), counted in the window',
    query: `query($o: ID!, $a: ID!, $since: DateTime) { organization(id: $o) { automation(id: $a) { executions(first: 1, since: $since) { totalCount } } } }`,
    variables: () => ({ a: automations[0], since: hourAgo() }),
    where: () => sql`automation_id = ${automations[0]} and created_at >= now() - interval '1 hour'`,
  },
  {
    list: 'Automation.executions(first: 100, status: QUEUED), one page holding the whole list',
    query: `query($o: ID!, $a: ID!) { organization(id: $o) { automation(id: $a) { executions(first: 100, status: QUEUED) { totalCount } } } }`,
    variables: () => ({ a: automations[1] }),
    where: () => sql`automation_id = ${automations[1]} and status = 'QUEUED'`,
  },
  { list: 'Organization.executions', query: organizationList(''), variables: () => ({}), where: () => sql`true` },
  {
    list: 'Organization.executions(filter: { statuses: [QUEUED, SUCCEEDED] })',
    query: organizationList(', filter: { statuses: [QUEUED, SUCCEEDED] }'),
    variables: () => ({}),
    where: () => sql`status in ('QUEUED', 'SUCCEEDED')`,
  },
  {
    list: 'Organization.executions(filter: { automationIds: [the second] })',
    query: `query($o: ID!, $a: ID!) { organization(id: $o) { executions(first: 1, filter: { automationIds: [$a] }) { totalCount } } }`,
    variables: () => ({ a: automations[1] }),
    where: () => sql`automation_id = ${automations[1]}`,
  },
  {
    list: 'Organization.executions(filter: { statuses: [FAILED], updatedSince: an hour ago }), counted in the window',
    query: `query($o: ID!, $since: DateTime) { organization(id: $o) { executions(first: 1, filter: { statuses: [FAILED], updatedSince: $since }) { totalCount } } }`,
    variables: () => ({ since: hourAgo() }),
    where: () => sql`status = 'FAILED' and updated_at >= now() - interval '1 hour'`,
  },
];

/**
 * A list's totalCount as the API gives it: asked alone (Automation.executions then reads no page,
 * as on the automations screen's cards) or beside its page.
 */
async function totalCountOf(c: ListCase, withPage = false): Promise<number | null> {
  const data = await expectAllowed<{ organization: { automation?: { executions: { totalCount: number } } | null; executions?: { totalCount: number } } }>(
    gw,
    org.owner.token,
    withPage ? c.query.replace('{ totalCount }', '{ totalCount edges { cursor } }') : c.query,
    { o: String(org.organizationId), ...c.variables() },
  );
  return (data.organization.automation?.executions ?? data.organization.executions)?.totalCount ?? null;
}

async function realCount(c: ListCase): Promise<number> {
  const result = await sql<{ n: number }>`select count(*)::integer as n from executions where organization_id = ${org.organizationId} and ${c.where()}`.execute(
    gw.db,
  );
  return result.rows[0]?.n ?? -1;
}

/** Every list's totalCount next to its real count, and the counter rows next to a count of executions by automation and status. */
async function expectCountsExact(): Promise<void> {
  for (const c of LISTS) {
    const real = await realCount(c);
    expect({ list: c.list, alone: await totalCountOf(c), withPage: await totalCountOf(c, true) }).toEqual({ list: c.list, alone: real, withPage: real });
  }
  // An automation whose executions all went keeps a row of zeros.
  const counters = await sql`select organization_id, automation_id, queued, running, succeeded, failed from execution_counts
    where queued + running + succeeded + failed > 0 order by 1, 2`.execute(gw.db);
  const counted = await sql`select organization_id, automation_id, count(*) filter (where status = 'QUEUED')::integer as queued,
      count(*) filter (where status = 'RUNNING')::integer as running, count(*) filter (where status = 'SUCCEEDED')::integer as succeeded,
      count(*) filter (where status = 'FAILED')::integer as failed
    from executions group by 1, 2 order by 1, 2`.execute(gw.db);
  expect(counters.rows).toEqual(counted.rows);
}

const statements: string[] = [];
beforeAll(async () => {
  gw = await startTestGateway({}, { onQuery: (event) => statements.push(event.query.sql) });
  org = await createOrg(gw);
  automations = [await newAutomation('counted-a'), await newAutomation('counted-b'), await newAutomation('counted-c')];
});
afterAll(async () => gw.close());

describe('the totalCount of execution lists', () => {
  it('equals count(*) after runs are recorded one by one and many in one statement', async () => {
    for (const status of STATUSES) for (const automationId of automations) await newExecution(automationId, status);
    // One statement of many rows, over two automations: the insert trigger counts per statement.
    await sql`insert into executions (organization_id, automation_id, status, error)
      select ${org.organizationId}, (array[${automations[0]}, ${automations[1]}]::uuid[])[1 + i % 2], (array['QUEUED','RUNNING','SUCCEEDED','FAILED'])[1 + i % 4],
        case when i % 4 = 3 then 'failed' end
      from generate_series(0, 41) i`.execute(gw.db);
    await expectCountsExact();
  });

  it('equals count(*) after status changes, through the repository and by hand, and when nothing changes', async () => {
    const queued = await newExecution(automations[0], 'QUEUED');
    await advanceExecution(gw.db, queued.id, ['QUEUED'], { status: 'RUNNING' });
    await advanceExecution(gw.db, queued.id, ['QUEUED', 'RUNNING'], { status: 'FAILED', error: 'lost', finishedAt: new Date() });
    // A run ends once: this changes nothing, and must count nothing.
    await advanceExecution(gw.db, queued.id, ['QUEUED', 'RUNNING'], { status: 'SUCCEEDED' });
    await sql`update executions set status = 'SUCCEEDED' where automation_id = ${automations[1]} and status = 'RUNNING'`.execute(gw.db);
    await sql`update executions set updated_at = now() where automation_id = ${automations[1]}`.execute(gw.db);
    await expectCountsExact();
  });

  it('equals count(*) with runs recorded and advanced at once', async () => {
    await Promise.all(
      Array.from({ length: 24 }, async (_, i) => {
        const execution = await newExecution(automations[i % 2] ?? '', 'QUEUED');
        if (i % 3 > 0) await advanceExecution(gw.db, execution.id, ['QUEUED'], { status: 'RUNNING' });
        if (i % 3 > 1) await advanceExecution(gw.db, execution.id, ['RUNNING'], { status: 'SUCCEEDED', finishedAt: new Date() });
      }),
    );
    await expectCountsExact();
  });

  it('equals count(*) after executions are deleted, and after an automation goes with its executions', async () => {
    await sql`delete from executions where automation_id = ${automations[0]} and status = 'SUCCEEDED'`.execute(gw.db);
    await sql`delete from automations where id = ${automations[2]}`.execute(gw.db);
    expect((await sql`select 1 from execution_counts where automation_id = ${automations[2]}`.execute(gw.db)).rows).toEqual([]);
    await expectCountsExact();
  });

  it('equals count(*) on a page past the last one, and for an automation that never ran', async () => {
    const page = `query($o: ID!, $a: ID!, $after: String) { organization(id: $o) { automation(id: $a) { executions(first: 50, after: $after) {
      totalCount edges { cursor } pageInfo { hasNextPage endCursor } } } } }`;
    type Page = {
      organization: { automation: { executions: { totalCount: number; edges: unknown[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } } };
    };
    let after: string | null = null;
    let last: Page['organization']['automation']['executions'];
    do {
      last = (await expectAllowed<Page>(gw, org.owner.token, page, { o: String(org.organizationId), a: automations[0], after })).organization.automation
        .executions;
      after = last.pageInfo.endCursor ?? after;
    } while (last.pageInfo.hasNextPage);
    const pastTheEnd = (await expectAllowed<Page>(gw, org.owner.token, page, { o: String(org.organizationId), a: automations[0], after })).organization
      .automation.executions;
    expect(pastTheEnd.edges).toEqual([]);
    expect(pastTheEnd.totalCount).toBe(await realCount(LISTS[0] as ListCase));
    const idle = await newAutomation('counted-idle');
    const never = (await expectAllowed<Page>(gw, org.owner.token, page, { o: String(org.organizationId), a: idle, after: null })).organization.automation
      .executions;
    expect(never.totalCount).toBe(0);
  });

  it('reads the counters, not the executions: a counter set wrong shows in the unfiltered and by-status counts only', async () => {
    const named = (list: string): ListCase => {
      const found = LISTS.find((c) => c.list === list);
      if (!found) throw new Error(`no list ${list}`);
      return found;
    };
    const [all, failed, windowed] = [
      named('Automation.executions'),
      named('Automation.executions(status: FAILED)'),
      named('Automation.executions(since: an hour ago), counted in the window'),
    ];
    const before = { all: await realCount(all), failed: await realCount(failed), windowed: await realCount(windowed) };
    await sql`update execution_counts set failed = failed + 1000 where automation_id = ${automations[0]}`.execute(gw.db);
    try {
      expect({ all: await totalCountOf(all), failed: await totalCountOf(failed), windowed: await totalCountOf(windowed) }).toEqual({
        all: before.all + 1000,
        failed: before.failed + 1000,
        windowed: before.windowed,
      });
    } finally {
      await sql`update execution_counts set failed = failed - 1000 where automation_id = ${automations[0]}`.execute(gw.db);
    }
  });
});

describe('the cards of the automations screen', () => {
  const CARDS = `query($o: ID!) { organization(id: $o) { automations(first: 50) { edges { node { id ...Card } } } } }
    fragment Card on Automation { executions { totalCount } }`;
  type Cards = { organization: { automations: { edges: Array<{ node: { id: string; executions: { totalCount: number } } }> } } };

  it('counts the runs of every card with the page of automations, in its statement, reading no page of runs, whatever the number of cards', async () => {
    const statementsFor = async () => {
      statements.length = 0;
      const data = await expectAllowed<Cards>(gw, org.owner.token, CARDS, { o: String(org.organizationId) });
      const page = statements.filter((text) => /from "automations"/.test(text) && /execution_counts/.test(text));
      const ownReads = statements.filter((text) => /from "?executions"?\b|from "?execution_counts"?/.test(text) && !/from "automations"/.test(text));
      return { data, page, ownReads };
    };
    const few = await statementsFor();
    for (let i = 0; i < 5; i++) await newExecution(await newAutomation(`card-${i}`), 'SUCCEEDED');
    await newAutomation('card-never-ran');
    const more = await statementsFor();
    expect(more.data.organization.automations.edges.length).toBeGreaterThan(few.data.organization.automations.edges.length);
    expect(more.page).toHaveLength(1);
    expect(more.ownReads).toEqual([]);
    for (const { node } of more.data.organization.automations.edges) {
      const real = await sql<{
        n: number;
      }>`select count(*)::integer as n from executions where organization_id = ${org.organizationId} and automation_id = ${node.id}`.execute(gw.db);
      expect({ id: node.id, totalCount: node.executions.totalCount }).toEqual({ id: node.id, totalCount: real.rows[0]?.n });
    }
  });

  it('counts the runs of an automation read on its own, and of a page that filters them, as a page of cards does', async () => {
    const [automationId] = automations;
    const real = await sql<{ n: number; failed: number }>`select count(*)::integer as n, count(*) filter (where status = 'FAILED')::integer as failed
      from executions where organization_id = ${org.organizationId} and automation_id = ${automationId}`.execute(gw.db);
    const one = await expectAllowed<{ organization: { automation: { executions: { totalCount: number } } } }>(
      gw,
      org.owner.token,
      'query($o: ID!, $id: ID!) { organization(id: $o) { automation(id: $id) { executions { totalCount } } } }',
      { o: String(org.organizationId), id: automationId },
    );
    expect(one.organization.automation.executions.totalCount).toBe(real.rows[0]?.n);
    const filtered = await expectAllowed<Cards>(
      gw,
      org.owner.token,
      'query($o: ID!) { organization(id: $o) { automations(first: 50) { edges { node { id executions(filter: { statuses: [FAILED] }) { totalCount } } } } } }',
      { o: String(org.organizationId) },
    );
    expect(filtered.organization.automations.edges.find(({ node }) => node.id === automationId)?.node.executions.totalCount).toBe(real.rows[0]?.failed);
  });
});

// --- Spans ------------------------------------------------------------------------------------

const SPAN_FILTERS: { filter: string; where: (traceId: string) => ReturnType<typeof sql> }[] = [
  { filter: '', where: () => sql`true` },
  { filter: 'filter: { errorsOnly: true }', where: () => sql`status_code = 2` },
  { filter: 'filter: { name: "tool" }', where: () => sql`name = 'tool'` },
  { filter: 'filter: { name: "tool", errorsOnly: true }', where: () => sql`name = 'tool' and status_code = 2` },
  { filter: 'filter: { traceId: $t }', where: (traceId) => sql`trace_id = decode(${traceId}, 'hex')` },
];

describe('the totalCount of Execution.spans', () => {
  let executionId: string;
  let sourceId: number;
  const traceId = hex(16);

  beforeAll(async () => {
    executionId = (await newExecution(automations[1], 'RUNNING')).id;
    const source: SpanSource = {
      resource: { attributes: {}, droppedAttributesCount: 0, schemaUrl: null },
      scope: { name: 'counts', version: null, attributes: {}, droppedAttributesCount: 0, schemaUrl: null },
    };
    sourceId = (await sourceIds(gw.db, org.organizationId, [source])).get(source) ?? -1;
  });

  /** `count` spans (or these span ids), every third an error, named `tool` or `llm`, half of them in `traceId`. */
  function spans(count: number, spanIds: string[] = Array.from({ length: count }, () => hex(8))) {
    const start = BigInt(Date.now()) * 1_000_000n;
    return spanIds.map((spanId, i) =>
      storedSpan(executionId, sourceId, 0, {
        traceId: i % 2 === 0 ? traceId : hex(16),
        spanId,
        name: i % 2 === 0 ? 'tool' : 'llm',
        startTimeUnixNano: String(start + BigInt(i)),
        endTimeUnixNano: String(start + BigInt(i) + 10n),
        statusCode: i % 3 === 0 ? 2 : 1,
      }),
    );
  }

  async function expectSpanCountsExact(): Promise<void> {
    // first: 1 counts (the counters or a scan); first: 100 mostly holds every span it matches.
    for (const [first, { filter, where }] of [1, 100].flatMap((n) => SPAN_FILTERS.map((f) => [n, f] as const))) {
      const variables = filter.includes('$t') ? ', $t: String' : '';
      const query = `query($o: ID!, $e: ID!${variables}) { organization(id: $o) { execution(id: $e) { spans(first: ${first}${filter ? `, ${filter}` : ''}) { totalCount } } } }`;
      const data = await expectAllowed<{ organization: { execution: { spans: { totalCount: number } } } }>(gw, org.owner.token, query, {
        o: String(org.organizationId),
        e: executionId,
        ...(variables ? { t: traceId } : {}),
      });
      const real = await sql<{ n: number }>`select count(*)::integer as n from spans where execution_id = ${executionId} and ${where(traceId)}`.execute(gw.db);
      expect({ first, filter, totalCount: data.organization.execution.spans.totalCount }).toEqual({ first, filter, totalCount: real.rows[0]?.n });
    }
  }

  it('equals count(*) after batches are stored, a batch is sent again, and batches arrive at once', async () => {
    const first = spans(30);
    await insertSpans(gw.db, org.organizationId, first);
    // An exporter that got no answer sends the batch again, with 5 new spans: only those count.
    await insertSpans(gw.db, org.organizationId, [...first, ...spans(5)]);
    await Promise.all(Array.from({ length: 8 }, () => gw.db.transaction().execute((trx) => insertSpans(trx, org.organizationId, spans(7)))));
    await expectSpanCountsExact();
  });

  it('equals count(*) after the pruning stopped after one batch, and after it ran to the end while batches arrived', async () => {
    await sql`update executions set created_at = now() - interval '40 days' where id = ${executionId}`.execute(gw.db);
    // A pruning that stops after its first batch (a replica ending): each batch is a transaction of its own.
    const stop = new Error('stopped after one batch');
    await expect(
      pruneTraces(gw.db, {
        retentionDays: 30,
        batchSize: 7,
        onBatch: () => {
          throw stop;
        },
      }),
    ).rejects.toBe(stop);
    await expectSpanCountsExact();
    await Promise.all([
      pruneTraces(gw.db, { retentionDays: 30, batchSize: 7 }),
      ...Array.from({ length: 4 }, () => gw.db.transaction().execute((trx) => insertSpans(trx, org.organizationId, spans(6)))),
    ]);
    await expectSpanCountsExact();
    await insertSpans(gw.db, org.organizationId, spans(9));
    await expectSpanCountsExact();
  });
});
