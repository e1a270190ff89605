import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertAutomation } from '../../src/modules/automations/automations.repository.js';
import { insertExecution } from '../../src/modules/executions/executions.repository.js';
import { insertSpans, sourceIds } from '../../src/modules/executions/spans.repository.js';
import type { SpanSource } from '../../src/modules/executions/spans.table.js';
import { storedSpan } from '../support/execution-fixtures.js';
import { expectAllowed } from '../support/expect.js';
import { createOrg, type OrgFixture } from '../support/fixtures.js';
import { startTestGateway, type TestGateway } from '../support/harness.js';

// Issue 15 §1: a page of large spans is read only for what the request selects, and what it reads
// is held against MAX_RESPONSE_BYTES as it comes in. A read over the budget stops there, not once
// every row of every page is in the gateway's memory.
const MAX = 64 * 1024;
const SPANS = 100;
const FILL = 'x'.repeat(4000);
let gw: TestGateway;
let org: OrgFixture;
let executionId: string;
const statements: string[] = [];

beforeAll(async () => {
  gw = await startTestGateway({ MAX_RESPONSE_BYTES: String(MAX) }, { onQuery: (event) => statements.push(event.query.sql) });
  org = await createOrg(gw);
  const automation = await insertAutomation(gw.db, {
    organizationId: org.organizationId,
    name: 'large-spans',
    description: '',
    visibility: 'ORGANIZATION',
    createdByUserId: null,
  });
  const execution = await insertExecution(gw.db, { organizationId: org.organizationId, automationId: automation.id, deploymentId: null, inputs: '{}' });
  executionId = execution.id;
  const source: SpanSource = {
    resource: { attributes: {}, droppedAttributesCount: 0, schemaUrl: null },
    scope: { name: 'test', version: null, attributes: {}, droppedAttributesCount: 0, schemaUrl: null },
  };
  const sourceId = (await sourceIds(gw.db, org.organizationId, [source])).get(source) ?? -1;
  await insertSpans(
    gw.db,
    org.organizationId,
    Array.from({ length: SPANS }, (_, i) =>
      storedSpan(executionId, sourceId, 1_700_000_000_000 + i, {
        name: `span-${i}`,
        attributes: JSON.stringify({ fill: FILL, 'gen_ai.usage.input_tokens': i, 'gen_ai.usage.output_tokens': 2 * i }),
        events: JSON.stringify([{ name: 'step', timeUnixNano: '1', attributes: { note: `event-${i}` }, droppedAttributesCount: 0 }]),
        inputTokens: i,
        outputTokens: 2 * i,
      }),
    ),
  );
});
afterAll(async () => gw.close());

const spansQuery = (selection: string, aliases = 1, fragments = '') =>
  `query($o: ID!, $id: ID!) { organization(id: $o) { ${Array.from(
    { length: aliases },
    (_, i) => `e${i}: execution(id: $id) { spans(first: ${SPANS}) { edges { node { ${selection} } } } }`,
  ).join(' ')} } } ${fragments}`;

async function post(query: string): Promise<{ status: number; body: { data?: unknown; errors?: Array<{ extensions: Record<string, unknown> }> } }> {
  const response = await fetch(gw.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${org.owner.token}` },
    body: JSON.stringify({ query, variables: { o: String(org.organizationId), id: executionId } }),
  });
  return { status: response.status, body: (await response.json()) as never };
}

/** The statements that read spans while `run` ran. */
async function spanReads(run: () => Promise<unknown>): Promise<string[]> {
  statements.length = 0;
  await run();
  return statements.filter((statement) => /from spans where/.test(statement));
}

type Nodes = { organization: { e0: { spans: { edges: Array<{ node: Record<string, unknown> }> } } } };

describe('pages of large spans', () => {
  it('asked for names and token counts, read no attributes, events or links, and answer every count', async () => {
    let data: Nodes | undefined;
    const reads = await spanReads(async () => {
      data = await expectAllowed<Nodes>(gw, org.owner.token, spansQuery('name inputTokens outputTokens'), {
        o: String(org.organizationId),
        id: executionId,
      });
    });
    expect(reads.length).toBeGreaterThan(0);
    for (const read of reads) {
      // Only the two token attributes are taken out of the column; the column itself is not read.
      expect(read.replace(/attributes -> \$\d+/g, '')).not.toMatch(/\battributes\b|\bevents\b|\blinks\b/);
    }
    const nodes = data?.organization.e0.spans.edges.map((edge) => edge.node) ?? [];
    expect(nodes).toHaveLength(SPANS);
    expect(nodes.map((node) => [node.inputTokens, node.outputTokens])).toEqual(Array.from({ length: SPANS }, (_, i) => [i, 2 * i]));
  });

  it.each([
    ['directly', 'name attributes events { name attributes }', ''],
    ['through an inline fragment', '... on Span { name attributes events { name attributes } }', ''],
    ['through a named fragment', '...large', 'fragment large on Span { name attributes events { name attributes } }'],
  ])('asked for attributes and events %s, answer them as stored', async (_how, selection, fragments) => {
    const data = await expectAllowed<Nodes>(gw, org.owner.token, spansQuery(selection, 1, fragments).replace(`first: ${SPANS}`, 'first: 3'), {
      o: String(org.organizationId),
      id: executionId,
    });
    expect(data.organization.e0.spans.edges.map((edge) => edge.node)).toEqual(
      [0, 1, 2].map((i) => ({
        name: `span-${i}`,
        attributes: { fill: FILL, 'gen_ai.usage.input_tokens': i, 'gen_ai.usage.output_tokens': 2 * i },
        events: [{ name: 'step', attributes: { note: `event-${i}` } }],
      })),
    );
  });

  it('asked for attributes and token counts, answer the counts the attributes carry', async () => {
    const data = await expectAllowed<Nodes>(gw, org.owner.token, spansQuery('inputTokens outputTokens attributes').replace(`first: ${SPANS}`, 'first: 3'), {
      o: String(org.organizationId),
      id: executionId,
    });
    expect(data.organization.e0.spans.edges.map(({ node }) => [node.inputTokens, node.outputTokens])).toEqual([
      [0, 0],
      [1, 2],
      [2, 4],
    ]);
  });

  it('over the budget, stop reading once they hold the budget: no more than one chunk past it, whatever the pages asked', async () => {
    let answer: Awaited<ReturnType<typeof post>> | undefined;
    const reads = await spanReads(async () => (answer = await post(spansQuery('attributes', 3))));
    expect(answer?.status).toBe(400);
    expect(answer?.body.errors?.[0]?.extensions).toMatchObject({ code: 'RESPONSE_TOO_LARGE', limit: { name: 'responseBytes', max: MAX } });
    const actual = Number((answer?.body.errors?.[0]?.extensions.limit as { actual: number }).actual);
    expect(actual).toBeGreaterThan(MAX);
    // Three pages of 100 spans of 4 KB asked for 1.2 MB; a chunk is 16 spans.
    expect(actual).toBeLessThanOrEqual(MAX + 16 * (FILL.length + 100));
    expect(reads.length).toBeLessThanOrEqual(3);
  });

  it('asked for a small part of a large page, are not refused for what they did not carry', async () => {
    const { status, body } = await post(spansQuery('name inputTokens', 3));
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
  });
});
