import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pruneTraces } from '../../src/ingest/prune-traces.js';
import { insertExecution } from '../../src/modules/executions/executions.repository.js';
import { insertSpans, sourceIds } from '../../src/modules/executions/spans.repository.js';
import type { SpanSource } from '../../src/modules/executions/spans.table.js';
import { connectRepo, deployNew } from '../support/automation-fixtures.js';
import { storedSpan, storeSpans } from '../support/execution-fixtures.js';
import { expectAllowed } from '../support/expect.js';
import { createOrg, type OrgFixture } from '../support/fixtures.js';
import { startTestGateway, type TestGateway } from '../support/harness.js';
import { runGatehouse } from '../support/cli.js';

// SPEC §7 "Ingest is bounded (… retention)": traces of executions started more than
// TRACE_RETENTION_DAYS ago are deleted in small batches; the executions, their token sums (so the
// usage dashboard) and recent traces stay; resources no span names any more go too.
let gw: TestGateway;
let org: OrgFixture;
let automationId: string;
const SPANS = 5;

async function recordRun(daysAgo: number): Promise<string> {
  const row = await insertExecution(gw.db, {
    organizationId: org.organizationId,
    automationId,
    deploymentId: null,
    inputs: '{}',
    status: 'SUCCEEDED',
    error: null,
  });
  await sql`update executions set created_at = now() - make_interval(days => ${daysAgo}) where id = ${row.id}`.execute(gw.db);
  const start = Date.now() - daysAgo * 86_400_000;
  await storeSpans(
    gw.db,
    org.organizationId,
    row.id,
    Array.from({ length: SPANS }, (_, i) => ({ name: `step ${i}`, start: start + i, end: start + i + 1, inputTokens: 10, outputTokens: 1 })),
  );
  return row.id;
}

interface Run {
  tokens: { input: number; output: number };
  spans: { totalCount: number; edges: unknown[] };
}

async function read(id: string): Promise<Run> {
  const query = `query($o: ID!, $id: ID!) { organization(id: $o) { execution(id: $id) { spans(first: 100) { totalCount edges { cursor } } } } }`;
  const data = await expectAllowed<{ organization: { execution: { spans: Run['spans'] } } }>(gw, org.owner.token, query, { o: String(org.organizationId), id });
  const row = await gw.db.selectFrom('executions').select(['inputTokens', 'outputTokens']).where('id', '=', id).executeTakeFirstOrThrow();
  return { spans: data.organization.execution.spans, tokens: { input: Number(row.inputTokens), output: Number(row.outputTokens) } };
}

beforeAll(async () => {
  gw = await startTestGateway();
  org = await createOrg(gw);
  automationId = (await deployNew(gw, org.owner.token, org.organizationId, await connectRepo(gw, org.owner.token, org.organizationId))).automationId;
});
afterAll(async () => gw.close());

describe('trace retention', () => {
  it('deletes the spans of old executions in batches, keeps recent ones, the executions and their token sums', async () => {
    const old = [await recordRun(40), await recordRun(31)];
    const recent = await recordRun(29);
    // Every source is older than the cutoff; only the one recent spans still name survives.
    await sql`update span_sources set created_at = now() - interval '60 days'`.execute(gw.db);
    const batches: number[] = [];
    const result = await pruneTraces(gw.db, { retentionDays: 30, batchSize: 3, onBatch: (done) => batches.push(done.spans) });
    expect(result.spans).toBe(2 * SPANS);
    // 10 spans in batches of at most 3: progress was reported after each.
    expect(batches.slice(0, 4)).toEqual([3, 6, 9, 10]);
    for (const id of old) expect(await read(id)).toEqual({ spans: { totalCount: 0, edges: [] }, tokens: { input: 10 * SPANS, output: SPANS } });
    const kept = await read(recent);
    expect(kept.spans.totalCount).toBe(SPANS);
    expect(kept.spans.edges).toHaveLength(SPANS);
    // storeSpans files each run under the same (test) source: it is still named, so it stays.
    expect(result.sources).toBe(0);
    expect(await pruneTraces(gw.db, { retentionDays: 30 })).toEqual({ spans: 0, sources: 0, batches: 0 });
  });

  it('removes resources no span names any more, once past the cutoff', async () => {
    const id = await recordRun(50);
    await sql`update span_sources set created_at = now() - interval '60 days'`.execute(gw.db);
    const before = await gw.db
      .selectFrom('spanSources')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    // Everything older than 10 days goes: no span names the shared source any more.
    const result = await pruneTraces(gw.db, { retentionDays: 10 });
    expect(result.spans).toBeGreaterThanOrEqual(SPANS);
    expect(result.sources).toBe(Number(before.n));
    expect((await read(id)).spans.totalCount).toBe(0);
  });

  // Spans name their source without a foreign key: the ingest's lock on the source is what keeps
  // it. Two connections at once, so PostgreSQL only (PGlite has the one).
  it.skipIf(!process.env.TEST_DATABASE_URL)('skips a source an ingest in flight holds; once it commits, its spans name it and it stays', async () => {
    const sourceNamed = (name: string): SpanSource => ({
      resource: { attributes: { 'service.name': name }, droppedAttributesCount: 0, schemaUrl: null },
      scope: { name: 'crew', version: null, attributes: {}, droppedAttributesCount: 0, schemaUrl: null },
    });
    // Two sources of a runtime idle for two months: past the cutoff, and no span names them.
    const held = sourceNamed('resumes-now');
    const idle = sourceNamed('still-idle');
    const ids = await sourceIds(gw.db, org.organizationId, [held, idle]);
    await sql`update span_sources set created_at = now() - interval '60 days'`.execute(gw.db);
    const exists = async (source: SpanSource) =>
      (await gw.db
        .selectFrom('spanSources')
        .select('id')
        .where('id', '=', ids.get(source) ?? -1)
        .executeTakeFirst()) !== undefined;

    const execution = await insertExecution(gw.db, {
      organizationId: org.organizationId,
      automationId,
      deploymentId: null,
      inputs: '{}',
      status: 'RUNNING',
      error: null,
    });
    let stored!: () => void;
    let commit!: () => void;
    const spansStored = new Promise<void>((resolve) => (stored = resolve));
    const committing = new Promise<void>((resolve) => (commit = resolve));
    // The runtime exports again: as the ingest does, it takes the source's id and stores a span, and has not committed yet.
    const ingest = gw.db.transaction().execute(async (trx) => {
      const sourceId = (await sourceIds(trx, org.organizationId, [held])).get(held) ?? -1;
      expect(sourceId).toBe(ids.get(held));
      await insertSpans(trx, org.organizationId, [storedSpan(execution.id, sourceId, Date.now(), { name: 'resumed' })]);
      stored();
      await committing;
    });
    await spansStored;
    // The pruning meanwhile: the idle source goes, the one the ingest holds is skipped.
    await pruneTraces(gw.db, { retentionDays: 30 });
    expect(await exists(idle)).toBe(false);
    expect(await exists(held)).toBe(true);
    commit();
    await ingest;
    // Committed, the span names its source: the next pruning keeps it, and the span reads back with it.
    await pruneTraces(gw.db, { retentionDays: 30 });
    expect(await exists(held)).toBe(true);
    const query = `query($o: ID!, $id: ID!) { organization(id: $o) { execution(id: $id) { spans(first: 10) { edges { node { name resource { attributes } } } } } } }`;
    const data = await expectAllowed<{ organization: { execution: { spans: { edges: Array<{ node: unknown }> } } } }>(gw, org.owner.token, query, {
      o: String(org.organizationId),
      id: execution.id,
    });
    expect(data.organization.execution.spans.edges.map((e) => e.node)).toEqual([
      { name: 'resumed', resource: { attributes: { 'service.name': 'resumes-now' } } },
    ]);
  });

  it('gatehouse traces prune refuses a bad --older-than-days with exit 2', () => {
    const result = runGatehouse(['traces', 'prune', '--older-than-days', 'soon'], { DATABASE_URL: '', DATA_DIR: '/nonexistent/never-opened' });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('--older-than-days must be a whole number');
  });
});
