import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { buildExecutableSchema } from '../../src/graphql/schema.js';
import { ROOT_DIR } from '../../src/paths.js';
import { measure } from './cost-helpers.js';

// Issue 12 §4: MAX_QUERY_COST and MAX_QUERY_DEPTH are derived from the frontend's screens
// (test/fixtures/frontend/operations, README "Limits"): each screen fits its defaults with
// headroom, with the page sizes the screens ask for by default.
const schema = buildExecutableSchema();
const limits = loadConfig({ NODE_ENV: 'test' }).limits;
const OPERATIONS = path.join(ROOT_DIR, 'test/fixtures/frontend/operations');
// Fragments are shared between files: the screens are one document, as codegen reads them.
const screens = fs
  .readdirSync(OPERATIONS)
  .filter((file) => file.endsWith('.graphql'))
  .sort()
  .map((file) => fs.readFileSync(path.join(OPERATIONS, file), 'utf8'))
  .join('\n');
const measured = measure(schema, screens);

// A screen may grow by a third before it meets the cost limit, and by one level before the depth limit.
const COST_HEADROOM = 0.75;

describe("the frontend's screens fit the default limits with headroom", () => {
  it('the defaults are the ones README "Limits" derives', () => {
    expect({ maxCost: limits.maxCost, maxDepth: limits.maxDepth }).toEqual({ maxCost: 12_000, maxDepth: 8 });
    expect(measured.length).toBeGreaterThanOrEqual(6);
    console.log(
      ['| screen | cost | depth |', '| --- | ---: | ---: |', ...measured.map((m) => `| ${m.name} | ${m.cost.toLocaleString('en')} | ${m.depth} |`)].join('\n'),
    );
  });

  it.each(measured.map((m) => [m.name, m] as const))('%s', (_name, { cost, depth }) => {
    expect(cost).toBeLessThanOrEqual(limits.maxCost * COST_HEADROOM);
    expect(depth).toBeLessThanOrEqual(limits.maxDepth - 1);
  });

  // Execution.spans pages one execution's spans, one SQL statement per execution: nested under a
  // page of runs it runs a statement per run. The depth limit refusing that shape is intended; the
  // frontend reads the spans of the run it opens (RunSpans).
  it('spans nested under a page of runs stay refused: too deep, and with the span row too costly', () => {
    const nested = (span: string) => `query RunsWithSpans($o: ID!, $a: ID!) { organization(id: $o) { automation(id: $a) { executions(first: 50) {
      edges { node { ...RunRow spans { edges { node { ${span} } } } } } } } } }`;
    const [names] = measure(schema, `${nested('name statusCode startTime endTime')}\n${screens}`).filter((m) => m.name === 'RunsWithSpans');
    expect(names?.depth).toBe(limits.maxDepth + 1);
    const [rows] = measure(schema, `${nested('...SpanRow')}\n${screens}`).filter((m) => m.name === 'RunsWithSpans');
    expect(rows?.cost).toBeGreaterThan(10 * limits.maxCost);
  });
});
