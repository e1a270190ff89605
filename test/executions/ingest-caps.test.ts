import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { decodeTraceResponse } from '../../src/ingest/otlp-proto.js';
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
import { expectAllowed } from '../support/expect.js';
import { isolatedOrg, startClusterEnv, type ClusterEnv } from '../support/k8s-setup.js';
import { startRuntimeStub, type RuntimeStub } from '../support/runtime-stub.js';

// SPEC §7: ingest is bounded so that no runtime can grow a response or the database without
// bound. Values past OTLP_ATTRIBUTE_VALUE_LENGTH_LIMIT are cut, attributes, events and links past
// their counts are dropped and counted (as the SDKs do), and a span or a resource and scope
// larger than OTLP_SPAN_MAX_BYTES / OTLP_SOURCE_MAX_BYTES is rejected alone. With the default
// caps, the largest read the query cost admits stays under 64 MiB.
type Span = Record<string, unknown>;
type Org = Awaited<ReturnType<typeof isolatedOrg>>;

let runtime: RuntimeStub;
beforeAll(async () => {
  runtime = await startRuntimeStub();
});
afterAll(async () => runtime?.close());

interface Deployed {
  env: ClusterEnv;
  org: Org;
  automationId: string;
  token: string;
}

async function deployed(env: ClusterEnv): Promise<Deployed> {
  const org = await isolatedOrg(env.gw);
  const automationId = (await deployNew(env.gw, org.owner.token, org.organizationId, org.repo)).automationId;
  return { env, org, automationId, token: ingestTokenOf(env, org.namespace, automationId) };
}

const newExecution = async (d: Deployed) => (await run(d.env.gw, d.org.owner.token, d.automationId)).id;

const kv = (key: string, value: Record<string, unknown>) => ({ key, value });
const str = (key: string, value: string) => kv(key, { stringValue: value });

describe('with small caps', () => {
  // The smallest value length allowed: a UUID, the value of gatehouse.execution.id, survives it.
  const VALUE = 36;
  const COUNT = 4;
  const EVENTS = 2;
  const LINKS = 2;
  const SPAN_BYTES = 2048;
  const SOURCE_BYTES = 1024;
  let d: Deployed;

  beforeAll(async () => {
    const env = await startClusterEnv('automatic', {
      RUNNER_URL_TEMPLATE: runtime.urlTemplate,
      OTLP_ATTRIBUTE_VALUE_LENGTH_LIMIT: String(VALUE),
      OTLP_ATTRIBUTE_COUNT_LIMIT: String(COUNT),
      OTLP_SPAN_EVENT_COUNT_LIMIT: String(EVENTS),
      OTLP_SPAN_LINK_COUNT_LIMIT: String(LINKS),
      OTLP_SPAN_MAX_BYTES: String(SPAN_BYTES),
      OTLP_SOURCE_MAX_BYTES: String(SOURCE_BYTES),
    });
    d = await deployed(env);
  });
  afterAll(async () => d?.env.close());

  interface SpanNode {
    spanId: string;
    name: string;
    statusMessage: string | null;
    attributes: Record<string, unknown>;
    droppedAttributesCount: number;
    events: Array<{ name: string; attributes: Record<string, unknown>; droppedAttributesCount: number }>;
    droppedEventsCount: number;
    links: Array<{ spanId: string; attributes: Record<string, unknown>; droppedAttributesCount: number }>;
    droppedLinksCount: number;
    resource: { attributes: Record<string, unknown>; droppedAttributesCount: number };
  }
  const SPANS = `query($o: ID!, $id: ID!) { organization(id: $o) { execution(id: $id) { spans(first: 20, order: RECEIVED) { totalCount edges { node {
    spanId name statusMessage attributes droppedAttributesCount events { name attributes droppedAttributesCount } droppedEventsCount
    links { spanId attributes droppedAttributesCount } droppedLinksCount resource { attributes droppedAttributesCount } } } } } } }`;
  async function spansOf(executionId: string): Promise<Map<string, SpanNode>> {
    type Page = { organization: { execution: { spans: { edges: Array<{ node: SpanNode }> } } } };
    const data = await expectAllowed<Page>(d.env.gw, d.org.owner.token, SPANS, { o: String(d.org.organizationId), id: executionId });
    return new Map(data.organization.execution.spans.edges.map((e) => [e.node.spanId, e.node]));
  }

  describe('OTLP_ATTRIBUTE_VALUE_LENGTH_LIMIT: longer values are cut to the limit and counted, with a warning', () => {
    it('is at least 36, the length of the execution id every span needs: a shorter limit would cut it and reject every span', () => {
      expect(() => loadConfig({ NODE_ENV: 'test', OTLP_ATTRIBUTE_VALUE_LENGTH_LIMIT: String(VALUE - 1) })).toThrow(
        new ConfigError(`OTLP_ATTRIBUTE_VALUE_LENGTH_LIMIT must be a whole number from ${VALUE} to 1048576; got "${VALUE - 1}".`),
      );
      expect(loadConfig({ NODE_ENV: 'test', OTLP_ATTRIBUTE_VALUE_LENGTH_LIMIT: String(VALUE) }).ingest.attributeValueLength).toBe(VALUE);
    });

    it('at that minimum, the execution id is kept whole and its span stored', async () => {
      const executionId = await newExecution(d);
      const span = otlpSpan({ executionId });
      expect(await postTraces(d.env.gw, d.token, otlpRequest([span]))).toMatchObject({ status: 200, body: {} });
      expect((await spansOf(executionId)).get(String(span.spanId))?.attributes).toEqual({ 'gatehouse.execution.id': executionId });
    });

    it('strings, bytes, array elements, the span name, status message, event and resource values are cut; the span is stored', async () => {
      const executionId = await newExecution(d);
      const long = (c: string) => c.repeat(VALUE + 25);
      const bytes = Buffer.from(Array.from({ length: VALUE + 10 }, (_, i) => i));
      const span: Span = {
        ...otlpSpan({}),
        name: long('n'),
        status: { code: 2, message: long('m') },
        attributes: [
          str('gatehouse.execution.id', executionId),
          str('long', long('x')),
          kv('bytes', { bytesValue: bytes.toString('base64') }),
          kv('list', { arrayValue: { values: [{ stringValue: long('z') }, { stringValue: 'short' }] } }),
        ],
        events: [{ name: long('e'), timeUnixNano: `${BigInt(Date.now()) * 1_000_000n}`, attributes: [str('detail', long('d'))] }],
      };
      const request = otlpRequest([span]);
      ((request.resourceSpans as Span[])[0] as Span).resource = { attributes: [str('service.name', long('s'))] };
      const response = await postTraces(d.env.gw, d.token, request);
      expect(response.status).toBe(200);
      // name, status message, long, bytes, list[0], event name, event detail, service.name
      expect(response.body).toEqual({
        partialSuccess: {
          rejectedSpans: 0,
          errorMessage: `8 attribute value(s) were cut to ${VALUE} characters (OTLP_ATTRIBUTE_VALUE_LENGTH_LIMIT); set OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT in the runtime to cut them yourself.`,
        },
      });
      const node = (await spansOf(executionId)).get(String(span.spanId));
      expect(node).toBeDefined();
      expect(node?.name).toBe('n'.repeat(VALUE));
      expect(node?.statusMessage).toBe('m'.repeat(VALUE));
      expect(node?.attributes).toEqual({
        'gatehouse.execution.id': executionId,
        long: 'x'.repeat(VALUE),
        bytes: bytes.subarray(0, VALUE).toString('base64'),
        list: ['z'.repeat(VALUE), 'short'],
      });
      expect(node?.events).toEqual([{ name: 'e'.repeat(VALUE), attributes: { detail: 'd'.repeat(VALUE) }, droppedAttributesCount: 0 }]);
      expect(node?.resource.attributes).toEqual({ 'service.name': 's'.repeat(VALUE) });
    });

    it('the twin: values of exactly the limit are kept whole, without a warning', async () => {
      const executionId = await newExecution(d);
      const exact = 'x'.repeat(VALUE);
      const span: Span = { ...otlpSpan({ executionId, name: 'n'.repeat(VALUE) }), status: { code: 2, message: 'm'.repeat(VALUE) } };
      span.attributes = [...(span.attributes as unknown[]), str('exact', exact), kv('bytes', { bytesValue: Buffer.alloc(VALUE, 7).toString('base64') })];
      expect(await postTraces(d.env.gw, d.token, otlpRequest([span]))).toMatchObject({ status: 200, body: {} });
      const node = (await spansOf(executionId)).get(String(span.spanId));
      expect(node?.attributes).toEqual({ 'gatehouse.execution.id': executionId, exact, bytes: Buffer.alloc(VALUE, 7).toString('base64') });
      expect(node?.name).toBe('n'.repeat(VALUE));
    });

    it('the cut counts characters, not bytes, and never leaves half a surrogate pair', async () => {
      const executionId = await newExecution(d);
      // 'a' then emoji: the limit falls between the two halves of one.
      const span = otlpSpan({ executionId, attributes: { euro: '€'.repeat(VALUE + 1), emoji: `a${'😀'.repeat(VALUE)}` } });
      const response = await postTraces(d.env.gw, d.token, otlpRequest([span]));
      expect(response.status).toBe(200);
      expect(response.body.partialSuccess).toEqual({ rejectedSpans: 0, errorMessage: expect.stringContaining('2 attribute value(s) were cut') });
      const node = (await spansOf(executionId)).get(String(span.spanId));
      expect(node?.attributes.euro).toBe('€'.repeat(VALUE));
      expect(node?.attributes.emoji).toBe(`a${'😀'.repeat((VALUE - 2) / 2)}\uFFFD`);
    });
  });

  describe('OTLP_ATTRIBUTE_COUNT_LIMIT, OTLP_SPAN_EVENT_COUNT_LIMIT, OTLP_SPAN_LINK_COUNT_LIMIT: the rest dropped and counted', () => {
    const at = (ms: number) => `${BigInt(ms) * 1_000_000n}`;
    const event = (i: number, attributes = 0) => ({
      name: `event ${i}`,
      timeUnixNano: at(Date.now()),
      attributes: Array.from({ length: attributes }, (_, j) => str(`k${j}`, 'v')),
    });
    const link = (i: number, attributes = 0) => ({
      traceId: hex(16),
      spanId: hex(8),
      attributes: Array.from({ length: attributes }, (_, j) => str(`k${j}`, `${i}`)),
    });
    const extra = (n: number) => Array.from({ length: n }, (_, i) => str(`extra.${i}`, 'v'));

    it.each([
      [
        'over every count, with counts the SDK already dropped',
        { attributes: COUNT + 3, sentAttributes: 2, events: EVENTS + 3, sentEvents: 1, links: LINKS + 1, sentLinks: 4, eventAttributes: COUNT + 2 },
      ],
      [
        'the twin: exactly at every count',
        { attributes: COUNT, sentAttributes: 0, events: EVENTS, sentEvents: 0, links: LINKS, sentLinks: 0, eventAttributes: COUNT },
      ],
    ])('%s', async (_what, n) => {
      const executionId = await newExecution(d);
      const span: Span = {
        ...otlpSpan({}),
        // The execution id first: it is within the count, and the later ones are those dropped.
        attributes: [str('gatehouse.execution.id', executionId), ...extra(n.attributes - 1)],
        droppedAttributesCount: n.sentAttributes,
        events: Array.from({ length: n.events }, (_, i) => event(i, i === 0 ? n.eventAttributes : 0)),
        droppedEventsCount: n.sentEvents,
        links: Array.from({ length: n.links }, (_, i) => link(i, i === 0 ? n.eventAttributes : 0)),
        droppedLinksCount: n.sentLinks,
      };
      const response = await postTraces(d.env.gw, d.token, otlpRequest([span]));
      // Dropping is what the SDKs do under their limits: no warning, nothing rejected.
      expect(response).toMatchObject({ status: 200, body: {} });
      const node = (await spansOf(executionId)).get(String(span.spanId));
      expect(Object.keys(node?.attributes ?? {})).toEqual(['gatehouse.execution.id', ...extra(Math.min(n.attributes, COUNT) - 1).map((e) => e.key)]);
      expect(node?.droppedAttributesCount).toBe(Math.max(0, n.attributes - COUNT) + n.sentAttributes);
      expect(node?.events.map((e) => e.name)).toEqual(Array.from({ length: Math.min(n.events, EVENTS) }, (_, i) => `event ${i}`));
      expect(node?.droppedEventsCount).toBe(Math.max(0, n.events - EVENTS) + n.sentEvents);
      expect(node?.links).toHaveLength(Math.min(n.links, LINKS));
      expect(node?.droppedLinksCount).toBe(Math.max(0, n.links - LINKS) + n.sentLinks);
      // The count applies to each attribute list: the first event's and link's too.
      expect(Object.keys(node?.events[0]?.attributes ?? {})).toHaveLength(COUNT);
      expect(node?.events[0]?.droppedAttributesCount).toBe(n.eventAttributes - COUNT);
      expect(node?.links[0]?.droppedAttributesCount).toBe(n.eventAttributes - COUNT);
    });

    it('resource attributes past the count are dropped and counted too', async () => {
      const executionId = await newExecution(d);
      const span = otlpSpan({ executionId });
      const request = otlpRequest([span]);
      ((request.resourceSpans as Span[])[0] as Span).resource = { attributes: extra(COUNT + 2), droppedAttributesCount: 1 };
      expect(await postTraces(d.env.gw, d.token, request)).toMatchObject({ status: 200, body: {} });
      const node = (await spansOf(executionId)).get(String(span.spanId));
      expect(Object.keys(node?.resource.attributes ?? {})).toHaveLength(COUNT);
      expect(node?.resource.droppedAttributesCount).toBe(3);
    });

    it('an execution id past the count is dropped like any attribute, and its span rejected for want of one', async () => {
      const executionId = await newExecution(d);
      const late = { ...otlpSpan({}), attributes: [...extra(COUNT), str('gatehouse.execution.id', executionId)] };
      const sibling = otlpSpan({ executionId });
      const response = await postTraces(d.env.gw, d.token, otlpRequest([sibling, late]));
      expect(response.status).toBe(200);
      expect(response.body.partialSuccess).toEqual({
        rejectedSpans: 1,
        errorMessage: expect.stringContaining('spans[1] has no "gatehouse.execution.id" attribute'),
      });
      expect(await storedSpanIds(d.env.gw, executionId)).toEqual([sibling.spanId]);
    });
  });

  describe('OTLP_SPAN_MAX_BYTES and OTLP_SOURCE_MAX_BYTES: a span too large is rejected alone', () => {
    // Values nest without a count (arrays, kvlists): the span's size bounds them.
    const list = (n: number) => kv('list', { arrayValue: { values: Array.from({ length: n }, () => ({ stringValue: 'x'.repeat(VALUE) })) } });

    it.each([
      ['JSON', false],
      ['protobuf', true],
    ])('a span over OTLP_SPAN_MAX_BYTES (%s): rejected with its size, its sibling stored', async (_encoding, protobuf) => {
      const executionId = await newExecution(d);
      const sibling = otlpSpan({ executionId });
      const big = otlpSpan({ executionId });
      big.attributes = [...(big.attributes as unknown[]), list(60)];
      const request = otlpRequest([sibling, big]);
      let partial: unknown;
      if (protobuf) {
        const response = await postProtobuf(d.env.gw, d.token, protobufRequest(request));
        expect(response.status).toBe(200);
        partial = (decodeTraceResponse(response.bytes) as { partialSuccess?: unknown }).partialSuccess;
      } else {
        const response = await postTraces(d.env.gw, d.token, request);
        expect(response.status).toBe(200);
        partial = response.body.partialSuccess;
      }
      expect(partial).toEqual({
        rejectedSpans: 1,
        errorMessage: expect.stringMatching(
          new RegExp(
            `resourceSpans\\[0\\]\\.scopeSpans\\[0\\]\\.spans\\[1\\] takes \\d+ bytes \\(attributes, events, links\\), over OTLP_SPAN_MAX_BYTES \\(${SPAN_BYTES}\\)`,
          ),
        ),
      });
      expect(await storedSpanIds(d.env.gw, executionId)).toEqual([sibling.spanId]);
    });

    it('the twin: a span just under OTLP_SPAN_MAX_BYTES is stored whole', async () => {
      const executionId = await newExecution(d);
      const span = otlpSpan({ executionId });
      span.attributes = [...(span.attributes as unknown[]), list(40)];
      expect(await postTraces(d.env.gw, d.token, otlpRequest([span]))).toMatchObject({ status: 200, body: {} });
      const node = (await spansOf(executionId)).get(String(span.spanId));
      expect(node?.attributes.list).toHaveLength(40);
      expect(JSON.stringify(node?.attributes).length).toBeLessThanOrEqual(SPAN_BYTES);
    });

    it("a resource and scope over OTLP_SOURCE_MAX_BYTES reject the spans under them; other resources' spans are stored", async () => {
      const executionId = await newExecution(d);
      const heavy = [otlpSpan({ executionId }), otlpSpan({ executionId })];
      const light = otlpSpan({ executionId });
      const source = (attributes: unknown[], spans: Span[]) => ({ resource: { attributes }, scopeSpans: [{ scope: { name: 'crew' }, spans }] });
      const response = await postTraces(d.env.gw, d.token, { resourceSpans: [source([list(40)], heavy), source([str('service.name', 'crew')], [light])] });
      expect(response.status).toBe(200);
      expect(response.body.partialSuccess?.rejectedSpans).toBe(2);
      expect(response.body.partialSuccess?.errorMessage).toMatch(
        /resourceSpans\[0\]\.scopeSpans\[0\]\.spans\[0\]: its resource and scope take \d+ bytes, over OTLP_SOURCE_MAX_BYTES \(1024\)/,
      );
      expect(response.body.partialSuccess?.errorMessage).toContain('resourceSpans[0].scopeSpans[0].spans[1]: its resource and scope take');
      expect(await storedSpanIds(d.env.gw, executionId)).toEqual([light.spanId]);
    });

    it('the twin: a resource within OTLP_SOURCE_MAX_BYTES is stored with its spans', async () => {
      const executionId = await newExecution(d);
      const span = otlpSpan({ executionId });
      const request = { resourceSpans: [{ resource: { attributes: [list(15)] }, scopeSpans: [{ scope: { name: 'crew' }, spans: [span] }] }] };
      expect(await postTraces(d.env.gw, d.token, request)).toMatchObject({ status: 200, body: {} });
      expect(await spanCount(d.env.gw, executionId)).toBe(1);
    });
  });
});

describe('with the default caps, the largest read the query cost admits', () => {
  const MiB = 1024 * 1024;
  // README "Traces (OTLP)": the 64 MiB that the manifest's 512 MiB leaves room for.
  const BOUND = 64 * MiB;
  const PAGE = 100;
  let d: Deployed;

  // What the cost model alone admits: MAX_RESPONSE_BYTES (8 MiB by default) now refuses these
  // reads earlier (test/limits/response-budget.test.ts), so it is raised to the bound here.
  beforeAll(async () => {
    d = await deployed(await startClusterEnv('automatic', { RUNNER_URL_TEMPLATE: runtime.urlTemplate, MAX_RESPONSE_BYTES: String(BOUND) }));
  }, 120_000);
  afterAll(async () => d?.env.close());

  const utf8 = (value: unknown) => Buffer.byteLength(JSON.stringify(value));

  /**
   * A span's size as the gateway counts it against OTLP_SPAN_MAX_BYTES (src/ingest/file-spans.ts):
   * UTF-8 bytes of the JSON of its attributes, events, name and status message, as they are stored.
   */
  function storedBytes(
    attributes: Record<string, string>,
    events: Array<{ name: string; timeUnixNano: string; attributes: Record<string, string> }>,
    name: string,
  ): number {
    const stored = events.map((e) => ({ name: e.name, timeUnixNano: e.timeUnixNano, attributes: e.attributes, droppedAttributesCount: 0 }));
    return utf8(attributes) + (events.length > 0 ? utf8(stored) : 0) + utf8(name);
  }

  const toKeyValues = (attributes: Record<string, string>) => Object.entries(attributes).map(([key, value]) => str(key, value));

  /** Values of `char`, each at most the value length, added while they fit: exactly `spanBytes` but for a character's width. */
  function fill(target: Record<string, string>, char: string, valueLength: number, room: () => number, prefix: string): void {
    const width = Buffer.byteLength(char);
    for (let i = 0; ; i++) {
      const key = `${prefix}${i}`;
      target[key] = '';
      const chars = Math.min(valueLength, Math.floor(room() / width));
      if (chars <= 0) {
        delete target[key];
        return;
      }
      target[key] = char.repeat(chars);
    }
  }

  interface Variant {
    what: string;
    /** The character the span is filled with. */
    char: string;
    /** What each span node is read with. */
    selection: string;
    span(executionId: string, caps: { spanBytes: number; valueLength: number; eventCount: number }): Span;
  }

  const VARIANTS: Variant[] = [
    {
      what: 'attributes of ASCII',
      char: 'x',
      selection: 'attributes',
      span: (executionId, caps) => {
        const name = 'worst';
        const attributes: Record<string, string> = { 'gatehouse.execution.id': executionId };
        fill(attributes, 'x', caps.valueLength, () => caps.spanBytes - storedBytes(attributes, [], name), 'fill.');
        return { ...otlpSpan({ name }), attributes: toKeyValues(attributes) };
      },
    },
    {
      // A character outside ASCII is one UTF-16 unit and up to three UTF-8 bytes: the cap counts bytes.
      what: 'attributes of three-byte characters',
      char: '€',
      selection: 'attributes',
      span: (executionId, caps) => {
        const name = 'worst';
        const attributes: Record<string, string> = { 'gatehouse.execution.id': executionId };
        fill(attributes, '€', caps.valueLength, () => caps.spanBytes - storedBytes(attributes, [], name), 'fill.');
        return { ...otlpSpan({ name }), attributes: toKeyValues(attributes) };
      },
    },
    {
      // Every field of as many events as a span may keep: the read adds `time` to each.
      what: 'events, as many as OTLP_SPAN_EVENT_COUNT_LIMIT',
      char: 'x',
      selection: 'events { name time timeUnixNano attributes droppedAttributesCount }',
      span: (executionId, caps) => {
        const name = 'worst';
        const attributes = { 'gatehouse.execution.id': executionId };
        const timeUnixNano = `${BigInt(Date.now()) * 1_000_000n}`;
        const events = Array.from({ length: caps.eventCount }, () => ({ name: '', timeUnixNano, attributes: { v: '' } }));
        const room = caps.spanBytes - storedBytes(attributes, events, name);
        const each = Math.floor(room / caps.eventCount);
        expect(each).toBeLessThanOrEqual(caps.valueLength);
        events.forEach((event, i) => (event.attributes.v = 'x'.repeat(i === 0 ? room - each * (caps.eventCount - 1) : each)));
        return { ...otlpSpan({ name }), attributes: toKeyValues(attributes), events: events.map((e) => ({ ...e, attributes: toKeyValues(e.attributes) })) };
      },
    },
  ];

  /** `aliases` pages of this execution's spans, `PAGE` each but the last, `last`. */
  function worstQuery(selection: string, aliases: number, last: number): string {
    const page = (i: number, first: number) => `e${i}: execution(id: $id) { spans(first: ${first}) { edges { node { ${selection} } } } }`;
    return `query($o: ID!, $id: ID!) { organization(id: $o) { ${Array.from({ length: aliases }, (_, i) => page(i, i === aliases - 1 ? last : PAGE)).join(' ')} } }`;
  }

  interface GqlAnswer {
    status: number;
    bytes: number;
    body: { data?: unknown; errors?: Array<{ extensions?: { code?: string; limit?: { name: string; max: number; actual: number } } }> };
  }

  async function post(query: string, id: string): Promise<GqlAnswer> {
    const response = await fetch(d.env.gw.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${d.org.owner.token}` },
      body: JSON.stringify({ query, variables: { o: String(d.org.organizationId), id } }),
    });
    const raw = Buffer.from(await response.arrayBuffer());
    return { status: response.status, bytes: raw.length, body: JSON.parse(raw.toString('utf8')) as GqlAnswer['body'] };
  }

  /** The admitted query with the most spans: whole pages while they fit, then the largest last page; and the one span more that is refused. */
  async function largestAdmitted(
    selection: string,
  ): Promise<{ admitted: { aliases: number; last: number; spans: number }; refused: { aliases: number; last: number } }> {
    // The cost is checked before anything runs: probing with an execution that does not exist reads nothing.
    const nobody = '00000000-0000-4000-8000-000000000000';
    const admits = async (aliases: number, last: number) => {
      const codes = ((await post(worstQuery(selection, aliases, last), nobody)).body.errors ?? []).map((e) => e.extensions?.code);
      if (codes.includes('QUERY_TOO_COMPLEX')) return false;
      // Each alias's execution is nullable (README "Nullability"): each answers its own NOT_FOUND.
      expect(codes).toEqual(Array.from({ length: aliases }, () => 'NOT_FOUND'));
      return true;
    };
    // Whole pages while they fit; with events a single page of PAGE spans may already be refused.
    let aliases = 0;
    while (await admits(aliases + 1, PAGE)) aliases++;
    let low = 0;
    let high = PAGE - 1;
    while (low < high) {
      const mid = Math.ceil((low + high) / 2);
      if (await admits(aliases + 1, mid)) low = mid;
      else high = mid - 1;
    }
    const admitted = low > 0 ? { aliases: aliases + 1, last: low, spans: aliases * PAGE + low } : { aliases, last: PAGE, spans: aliases * PAGE };
    return { admitted, refused: { aliases: aliases + 1, last: low + 1 } };
  }

  it.each(VARIANTS.map((v) => [v.what, v] as const))(
    '%s, filled to the default caps: the largest admitted response is under 64 MiB',
    async (what, variant) => {
      const { ingest, limits, maxPageSize } = d.env.gw.config;
      expect({
        valueLength: ingest.attributeValueLength,
        eventCount: ingest.eventCount,
        spanBytes: ingest.spanBytes,
        maxCost: limits.maxCost,
        maxPageSize,
      }).toEqual({
        valueLength: 4096,
        eventCount: 128,
        spanBytes: 65_536,
        maxCost: 12000,
        maxPageSize: PAGE,
      });

      // One page of spans, each filled to OTLP_SPAN_MAX_BYTES, sent in as few exports as OTLP_MAX_BYTES allows.
      const executionId = await newExecution(d);
      const caps = { spanBytes: ingest.spanBytes, valueLength: ingest.attributeValueLength, eventCount: ingest.eventCount };
      const spans = Array.from({ length: PAGE }, () => variant.span(executionId, caps));
      const perExport = Math.max(1, Math.floor((ingest.maxBytes * 0.95) / protobufRequest(otlpRequest(spans.slice(0, 1))).length));
      for (let i = 0; i < spans.length; i += perExport) {
        const response = await postProtobuf(d.env.gw, d.token, protobufRequest(otlpRequest(spans.slice(i, i + perExport))));
        expect(response.status).toBe(200);
        // Filled to the caps, not over them: nothing cut, nothing rejected.
        expect(decodeTraceResponse(response.bytes)).toEqual({});
      }
      expect(await spanCount(d.env.gw, executionId)).toBe(PAGE);
      // And filled: what is left of each span's cap is less than one more attribute would take.
      for (const span of spans) {
        const plain = (list: unknown) =>
          Object.fromEntries((list as Array<{ key: string; value: { stringValue: string } }>).map((a) => [a.key, a.value.stringValue]));
        const events = ((span.events ?? []) as Array<{ name: string; timeUnixNano: string; attributes: unknown }>).map((e) => ({
          ...e,
          attributes: plain(e.attributes),
        }));
        const slack = ingest.spanBytes - storedBytes(plain(span.attributes), events, String(span.name));
        expect(slack).toBeGreaterThanOrEqual(0);
        expect(slack).toBeLessThan(16);
      }
      // The gateway agrees: 16 bytes more and the span is refused (the cap counts UTF-8 bytes, not characters).
      const over = spans.slice(0, 1).map((span) => ({
        ...span,
        spanId: hex(8),
        attributes: [...(span.attributes as unknown[]), str('over', variant.char.repeat(Math.ceil(16 / Buffer.byteLength(variant.char))))],
      }));
      const overResponse = await postProtobuf(d.env.gw, d.token, protobufRequest(otlpRequest(over)));
      expect(decodeTraceResponse(overResponse.bytes)).toEqual({
        partialSuccess: { rejectedSpans: 1, errorMessage: expect.stringContaining(`over OTLP_SPAN_MAX_BYTES (${ingest.spanBytes})`) },
      });
      expect(await spanCount(d.env.gw, executionId)).toBe(PAGE);

      const { admitted, refused } = await largestAdmitted(variant.selection);
      const refusedResponse = await post(worstQuery(variant.selection, refused.aliases, refused.last), executionId);
      expect(refusedResponse.status).toBe(400);
      expect(refusedResponse.body.data).toBeUndefined();
      expect(refusedResponse.body.errors?.[0]?.extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', limit: { name: 'cost', max: limits.maxCost } });
      const refusedCost = refusedResponse.body.errors?.[0]?.extensions?.limit?.actual ?? 0;
      expect(refusedCost).toBeGreaterThan(limits.maxCost);

      const response = await post(worstQuery(variant.selection, admitted.aliases, admitted.last), executionId);
      expect(response.status).toBe(200);
      expect(response.body.errors).toBeUndefined();
      const pages = Object.values((response.body.data as { organization: Record<string, { spans: { edges: unknown[] } }> }).organization);
      expect(pages.reduce((n, page) => n + page.spans.edges.length, 0)).toBe(admitted.spans);
      console.log(
        `[ingest-caps] largest admitted read, ${what}: ${admitted.spans} spans (${admitted.aliases} aliases of execution, the last with first: ${admitted.last}) ` +
          `reading { ${variant.selection} }, each span filled to OTLP_SPAN_MAX_BYTES=${ingest.spanBytes}: ` +
          `${response.bytes} bytes = ${(response.bytes / MiB).toFixed(2)} MiB (bound 64 MiB); one span more costs ${refusedCost} > MAX_QUERY_COST=${limits.maxCost}`,
      );
      expect(response.bytes).toBeLessThan(BOUND);
    },
    120_000,
  );
});
