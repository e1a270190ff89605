import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deployNew } from '../support/automation-fixtures.js';
import {
  hex,
  ingestTokenOf,
  otlpRequest,
  otlpSpan,
  postProtobuf,
  postTraces,
  protobufRequest,
  run,
  spanCount,
  storedSpanIds,
} from '../support/execution-fixtures.js';
import { expectAllowed, expectDenied } from '../support/expect.js';
import { isolatedOrg, startClusterEnv, type ClusterEnv } from '../support/k8s-setup.js';
import { startRuntimeStub, type RuntimeStub } from '../support/runtime-stub.js';

// Execution.spans(order: RECEIVED) is the feed of a running execution: a reader that keeps
// endCursor and resumes from it gets every span stored since, exactly once, whatever their start
// times, also while exports arrive concurrently. A START_TIME cursor cannot promise that (a root
// span starts first and arrives last), which is why RECEIVED exists; a cursor belongs to its order.
let runtime: RuntimeStub;
let env: ClusterEnv;
let org: Awaited<ReturnType<typeof isolatedOrg>>;
let automationId: string;
let token: string;

beforeAll(async () => {
  runtime = await startRuntimeStub();
  env = await startClusterEnv('automatic', { RUNNER_URL_TEMPLATE: runtime.urlTemplate });
  org = await isolatedOrg(env.gw);
  automationId = (await deployNew(env.gw, org.owner.token, org.organizationId, org.repo)).automationId;
  token = ingestTokenOf(env, org.namespace, automationId);
});
afterAll(async () => {
  await env?.close();
  await runtime?.close();
});

type Order = 'START_TIME' | 'RECEIVED';

interface SpanPage {
  totalCount: number;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  edges: Array<{ cursor: string; node: { spanId: string; name: string; startTimeUnixNano: string } }>;
}

const SPANS = `query($o: ID!, $id: ID!, $first: Int, $after: String, $order: SpanOrder) { organization(id: $o) { execution(id: $id) {
  spans(first: $first, after: $after, order: $order) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { spanId name startTimeUnixNano } } } } } }`;

async function page(executionId: string, args: { first?: number; after?: string | null; order?: Order }): Promise<SpanPage> {
  type Data = { organization: { execution: { spans: SpanPage } } };
  return (await expectAllowed<Data>(env.gw, org.owner.token, SPANS, { o: String(org.organizationId), id: executionId, ...args })).organization.execution.spans;
}

interface Read {
  names: string[];
  spanIds: string[];
  /** Where to resume: the last span read, or the cursor resumed from when nothing was new. */
  cursor: string | null;
  pages: number;
  totalCount: number;
}

/** Pages from `after` to the end, as a client following pageInfo does. */
async function readFrom(executionId: string, order: Order, after: string | null, first = 2): Promise<Read> {
  const read: Read = { names: [], spanIds: [], cursor: after, pages: 0, totalCount: 0 };
  for (;;) {
    const p = await page(executionId, { first, after: read.cursor, order });
    read.pages++;
    read.totalCount = p.totalCount;
    read.names.push(...p.edges.map((e) => e.node.name));
    read.spanIds.push(...p.edges.map((e) => e.node.spanId));
    read.cursor = p.pageInfo.endCursor ?? read.cursor;
    if (!p.pageInfo.hasNextPage) return read;
  }
}

describe('a reader resuming from its cursor', () => {
  let executionId: string;
  const t0 = Date.now() - 60_000;
  const traceId = hex(16);
  const rootId = hex(8);
  const child = (i: number) => otlpSpan({ name: `step ${i}`, traceId, parentSpanId: rootId, start: t0 + 10 * i, durationMs: 5 });
  const saved = {} as Record<Order, Read>;

  beforeAll(async () => {
    executionId = (await run(env.gw, org.owner.token, automationId)).id;
  });

  const send = async (spans: Array<Record<string, unknown>>) => {
    for (const span of spans) (span.attributes as unknown[]).push({ key: 'gatehouse.execution.id', value: { stringValue: executionId } });
    expect(await postTraces(env.gw, token, otlpRequest(spans))).toMatchObject({ status: 200, body: {} });
  };

  it('reads what has arrived, in either order, and keeps the cursor', async () => {
    await send([1, 2, 3].map(child));
    await send([4, 5].map(child));
    for (const order of ['RECEIVED', 'START_TIME'] as const) {
      saved[order] = await readFrom(executionId, order, null);
      expect(saved[order].names).toEqual(['step 1', 'step 2', 'step 3', 'step 4', 'step 5']);
      expect(saved[order].pages).toBe(3);
      expect(saved[order].totalCount).toBe(5);
    }
  });

  it('RECEIVED: resuming returns exactly what arrived since, the root span that started first included', async () => {
    // A later step, then the root span: it started before every step and ends, so arrives, last.
    await send([child(6)]);
    await send([
      {
        ...otlpSpan({ name: 'root', traceId, spanId: rootId, start: t0, durationMs: 100 }),
        attributes: [{ key: 'gatehouse.execution.status', value: { stringValue: 'SUCCEEDED' } }],
      },
    ]);
    const resumed = await readFrom(executionId, 'RECEIVED', saved.RECEIVED.cursor);
    expect(resumed.names).toEqual(['step 6', 'root']);
    expect(resumed.totalCount).toBe(7);
    // Nothing new: an empty page, no cursor of its own; the reader keeps the one it had.
    const again = await page(executionId, { order: 'RECEIVED', after: resumed.cursor });
    expect(again).toEqual({ totalCount: 7, pageInfo: { hasNextPage: false, endCursor: null }, edges: [] });
    // The reader saw every span once, and totalCount is what it paged.
    const seen = [...saved.RECEIVED.spanIds, ...resumed.spanIds];
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual(await storedSpanIds(env.gw, executionId));
    expect(seen).toHaveLength(resumed.totalCount);
  });

  it('START_TIME: resuming from a saved cursor misses the root span, which starts before it (why RECEIVED exists)', async () => {
    const resumed = await readFrom(executionId, 'START_TIME', saved.START_TIME.cursor);
    expect(resumed.names).toEqual(['step 6']);
    expect(resumed.totalCount).toBe(7);
    // Read again from the start, the timeline has it first.
    const whole = await readFrom(executionId, 'START_TIME', null, 100);
    expect(whole.names).toEqual(['root', 'step 1', 'step 2', 'step 3', 'step 4', 'step 5', 'step 6']);
    expect(whole.pages).toBe(1);
  });

  it('spans of the same start time page by arrival in START_TIME order too, none lost at a page boundary', async () => {
    const tie = (await run(env.gw, org.owner.token, automationId)).id;
    const start = Date.now();
    const spans = Array.from({ length: 7 }, (_, i) => otlpSpan({ executionId: tie, name: `tie ${i}`, start }));
    expect((await postTraces(env.gw, token, otlpRequest(spans))).status).toBe(200);
    for (const order of ['START_TIME', 'RECEIVED'] as const) {
      const read = await readFrom(tie, order, null, 3);
      expect(read.names).toEqual(spans.map((s) => s.name));
      expect(read.pages).toBe(3);
    }
  });

  it('START_TIME orders the start times as numbers: a span of 1999 (18 digits of nanoseconds) comes before one of 2026', async () => {
    const times = await run(env.gw, org.owner.token, automationId);
    const spans = [Date.UTC(2026, 0, 1), Date.UTC(1999, 0, 1), Date.UTC(2001, 8, 9, 1, 46, 40)].map((start, i) =>
      otlpSpan({ executionId: times.id, name: `at ${i}`, start }),
    );
    expect((await postTraces(env.gw, token, otlpRequest(spans))).status).toBe(200);
    for (const first of [1, 10]) expect((await readFrom(times.id, 'START_TIME', null, first)).names).toEqual(['at 1', 'at 2', 'at 0']);
  });
});

describe('a cursor belongs to its order', () => {
  let executionId: string;
  const cursors = {} as Record<Order, string>;
  const MESSAGE = (order: Order) => `"after" is not a cursor of Execution.spans in ${order} order`;

  beforeAll(async () => {
    executionId = (await run(env.gw, org.owner.token, automationId)).id;
    const spans = Array.from({ length: 3 }, (_, i) => otlpSpan({ executionId, name: `s${i}`, start: Date.now() + i }));
    expect((await postTraces(env.gw, token, otlpRequest(spans))).status).toBe(200);
    for (const order of ['START_TIME', 'RECEIVED'] as const) {
      const first = await page(executionId, { first: 1, order });
      cursors[order] = first.pageInfo.endCursor ?? '';
    }
  });

  const ARGS = `query($o: ID!, $id: ID!, $after: String, $order: SpanOrder) { organization(id: $o) { execution(id: $id) { spans(first: 10, after: $after, order: $order) { edges { node { name } } } } } }`;
  const ask = (after: string, order?: Order) => ({ o: String(org.organizationId), id: executionId, after, ...(order ? { order } : {}) });

  it.each([
    ['a START_TIME cursor with order RECEIVED', 'START_TIME', 'RECEIVED'],
    ['a RECEIVED cursor with order START_TIME', 'RECEIVED', 'START_TIME'],
    ['a RECEIVED cursor without order (START_TIME by default)', 'RECEIVED', undefined],
  ] as const)('%s is BAD_USER_INPUT, naming the order', async (_what, cursorOrder, order) => {
    const response = await expectDenied(env.gw, org.owner.token, ARGS, ask(cursors[cursorOrder], order), 'BAD_USER_INPUT');
    expect(response.errors[0]?.message).toContain(MESSAGE(order ?? 'START_TIME'));
  });

  it.each([
    ['a START_TIME cursor with order START_TIME', 'START_TIME', 'START_TIME'],
    ['a START_TIME cursor without order', 'START_TIME', undefined],
    ['a RECEIVED cursor with order RECEIVED', 'RECEIVED', 'RECEIVED'],
  ] as const)('the twin: %s resumes after the first span', async (_what, cursorOrder, order) => {
    type Data = { organization: { execution: { spans: { edges: Array<{ node: { name: string } }> } } } };
    const data = await expectAllowed<Data>(env.gw, org.owner.token, ARGS, ask(cursors[cursorOrder], order));
    expect(data.organization.execution.spans.edges.map((e) => e.node.name)).toEqual(['s1', 's2']);
  });

  it.each([
    ['not base64 of a cursor', '!!!'],
    ['a RECEIVED cursor with a bad id', Buffer.from('r|abc').toString('base64url')],
    ['a RECEIVED cursor with an extra part', Buffer.from('r|1|2').toString('base64url')],
    ['an overlong cursor', 'A'.repeat(101)],
  ])('%s is BAD_USER_INPUT', async (_what, after) => {
    await expectDenied(env.gw, org.owner.token, ARGS, ask(after, 'RECEIVED'), 'BAD_USER_INPUT');
  });
});

describe("totalCount is the execution's counter: what was stored, once", () => {
  it('a re-sent batch, a rejected span and a span of another execution count nothing; totalCount equals the spans paged', async () => {
    const executionId = (await run(env.gw, org.owner.token, automationId)).id;
    const other = (await run(env.gw, org.owner.token, automationId)).id;
    const batch = otlpRequest([otlpSpan({ executionId }), otlpSpan({ executionId }), otlpSpan({ executionId: other })]);
    expect((await postTraces(env.gw, token, batch)).status).toBe(200);
    expect((await postProtobuf(env.gw, token, protobufRequest(batch))).status).toBe(200);
    const rejected = await postTraces(env.gw, token, otlpRequest([otlpSpan({ executionId }), { ...otlpSpan({ executionId }), spanId: 'bad' }]));
    expect(rejected.body.partialSuccess?.rejectedSpans).toBe(1);
    const read = await readFrom(executionId, 'RECEIVED', null);
    expect(read.spanIds).toHaveLength(3);
    expect(read.totalCount).toBe(3);
    expect(await spanCount(env.gw, executionId)).toBe(3);
    expect((await readFrom(other, 'RECEIVED', null)).totalCount).toBe(1);
  });
});

describe('concurrent exports while a reader polls', () => {
  const EXPORTERS = 4;
  const BATCHES = 5;
  const SPANS_PER_BATCH = 12;

  it('the union of what the reader saw is everything stored, each span once, in the order stored', async () => {
    const executionId = (await run(env.gw, org.owner.token, automationId)).id;
    const sent = new Set<string>();
    const now = Date.now();
    // Start times all over the place: some before anything read so far, as root spans are.
    const batch = () =>
      Array.from({ length: SPANS_PER_BATCH }, () => {
        const span = otlpSpan({ executionId, start: now - Math.floor(Math.random() * 100_000) });
        sent.add(String(span.spanId));
        return span;
      });

    let exporting = true;
    const exporters = Array.from({ length: EXPORTERS }, async (_, exporter) => {
      for (let b = 0; b < BATCHES; b++) {
        const request = otlpRequest(batch());
        // Half speak protobuf; every third batch is sent twice, as an exporter retrying would.
        const post = () =>
          exporter % 2 === 0
            ? postTraces(env.gw, token, request).then((r) => r.status)
            : postProtobuf(env.gw, token, protobufRequest(request)).then((r) => r.status);
        expect(await post()).toBe(200);
        if (b % 3 === 0) expect(await post()).toBe(200);
      }
    });
    const done = Promise.all(exporters).finally(() => {
      exporting = false;
    });

    // The reader polls one page at a time, as a live view does, keeping the last cursor it got.
    const seen: string[] = [];
    let cursor: string | null = null;
    let polls = 0;
    let newsWhileExporting = 0;
    for (;;) {
      const last = !exporting;
      const p = await page(executionId, { first: 7, after: cursor, order: 'RECEIVED' });
      polls++;
      if (!last && p.edges.length > 0) newsWhileExporting++;
      seen.push(...p.edges.map((e) => e.node.spanId));
      cursor = p.pageInfo.endCursor ?? cursor;
      // Done once a page that began after the last export was answered has nothing more after it.
      if (last && !p.pageInfo.hasNextPage) break;
      if (!p.pageInfo.hasNextPage) await new Promise((resolve) => setTimeout(resolve, 2));
    }
    await done;

    const stored = await storedSpanIds(env.gw, executionId);
    expect(stored).toHaveLength(EXPORTERS * BATCHES * SPANS_PER_BATCH);
    expect(new Set(stored)).toEqual(sent);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual(stored);
    const final = await page(executionId, { first: 1, order: 'RECEIVED' });
    expect(final.totalCount).toBe(seen.length);
    console.log(
      `[span-feed] ${seen.length} spans from ${EXPORTERS} concurrent exporters, read in ${polls} polls, ${newsWhileExporting} of them with new spans while exports went on`,
    );
    // The reader did read while spans arrived, not only once at the end.
    expect(newsWhileExporting).toBeGreaterThanOrEqual(1);
  });
});
