import crypto from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deployNew } from '../support/automation-fixtures.js';
import { hex, ingestTokenOf, otlpRequest, otlpSpan, postTraces, run } from '../support/execution-fixtures.js';
import { expectAllowed, expectDenied, expectHidden } from '../support/expect.js';
import { addMember, createRole } from '../support/fixtures.js';
import { isolatedOrg, startClusterEnv, type ClusterEnv } from '../support/k8s-setup.js';
import { startRuntimeStub, type RuntimeStub } from '../support/runtime-stub.js';

// Issue 4 "Usage dashboard" (SPEC §2 usage_dashboards >= READ): executions, success rate and tokens
// per automation and per day, summed from the spans' GenAI token attributes as the runtime sent
// them, counting only automations the viewer may view (SPEC §3).
type Name = 'first' | 'second' | 'private';
interface Counts {
  executions: number;
  succeeded: number;
  failed: number;
  inputTokens: number;
  outputTokens: number;
}
const zero = (): Counts => ({ executions: 0, succeeded: 0, failed: 0, inputTokens: 0, outputTokens: 0 });
const day = (offset: number) => new Date(Math.floor(Date.now() / 86_400_000 + offset) * 86_400_000);
const isoDay = (offset: number) => day(offset).toISOString().slice(0, 10);

let runtime: RuntimeStub;
let env: ClusterEnv;
let org: Awaited<ReturnType<typeof isolatedOrg>>;
const ids = {} as Record<Name, string>;
// What the spans carried, summed here: per automation, and per (automation, day offset).
const sent = new Map<Name, Counts>();
const sentByDay = new Map<string, Counts>();
const tokens = {} as Record<'owner' | 'viewer' | 'whitelisted' | 'noCrews' | 'noUsage', string>;

/** One run reported as the runtime would: a root span with the outcome, and LLM spans with tokens. */
async function reportRun(name: Name, outcome: 'SUCCEEDED' | 'FAILED' | null, daysAgo: number): Promise<void> {
  const execution = await run(env.gw, org.owner.token, ids[name]);
  const traceId = hex(16);
  const root = otlpSpan({ executionId: execution.id, traceId, name: 'crew', attributes: outcome ? { 'gatehouse.execution.status': outcome } : {} });
  const calls = Array.from({ length: 3 }, () => {
    const input = crypto.randomInt(1, 5000);
    const output = crypto.randomInt(1, 5000);
    return {
      input,
      output,
      span: otlpSpan({
        executionId: execution.id,
        traceId,
        parentSpanId: String(root.spanId),
        attributes: { 'gen_ai.usage.input_tokens': input, 'gen_ai.usage.output_tokens': output },
      }),
    };
  });
  const response = await postTraces(env.gw, ingestTokenOf(env, org.namespace, ids[name]), otlpRequest([root, ...calls.map((c) => c.span)]));
  expect(response.status).toBe(200);
  if (daysAgo) await sql`update executions set created_at = now() - make_interval(days => ${daysAgo}) where id = ${execution.id}`.execute(env.gw.db);
  const add = (counts: Counts): Counts => ({
    executions: counts.executions + 1,
    succeeded: counts.succeeded + (outcome === 'SUCCEEDED' ? 1 : 0),
    failed: counts.failed + (outcome === 'FAILED' ? 1 : 0),
    inputTokens: counts.inputTokens + calls.reduce((sum, c) => sum + c.input, 0),
    outputTokens: counts.outputTokens + calls.reduce((sum, c) => sum + c.output, 0),
  });
  sent.set(name, add(sent.get(name) ?? zero()));
  sentByDay.set(`${name}:${daysAgo}`, add(sentByDay.get(`${name}:${daysAgo}`) ?? zero()));
}

beforeAll(async () => {
  runtime = await startRuntimeStub();
  env = await startClusterEnv('automatic', { RUNNER_URL_TEMPLATE: runtime.urlTemplate });
  org = await isolatedOrg(env.gw);
  for (const name of ['first', 'second', 'private'] as const) ids[name] = (await deployNew(env.gw, org.owner.token, org.organizationId, org.repo)).automationId;
  const viewer = await createRole(env.gw, org.organizationId, { usage_dashboards: 'READ', crews_dashboards: 'READ' });
  const whitelisted = await addMember(env.gw, org.organizationId, viewer);
  await expectAllowed(
    env.gw,
    org.owner.token,
    'mutation($id: ID!, $u: ID!) { setAutomationAccess(id: $id, visibility: PRIVATE, access: [{ principalType: USER, principalId: $u }]) { id } }',
    {
      id: ids.private,
      u: whitelisted.userId,
    },
  );
  Object.assign(tokens, {
    owner: org.owner.token,
    viewer: (await addMember(env.gw, org.organizationId, viewer)).token,
    whitelisted: whitelisted.token,
    noCrews: (await addMember(env.gw, org.organizationId, await createRole(env.gw, org.organizationId, { usage_dashboards: 'READ' }))).token,
    noUsage: (await addMember(env.gw, org.organizationId, await createRole(env.gw, org.organizationId, { crews_dashboards: 'READ' }))).token,
  });
  await reportRun('first', 'SUCCEEDED', 0);
  await reportRun('first', 'FAILED', 0);
  await reportRun('first', 'SUCCEEDED', 1);
  await reportRun('second', 'SUCCEEDED', 1);
  await reportRun('second', null, 0);
  await reportRun('private', 'SUCCEEDED', 0);
  await reportRun('private', 'FAILED', 1);
});
afterAll(async () => {
  await env.close();
  await runtime.close();
});

const QUERY = `query($o: ID!, $since: DateTime!, $until: DateTime!) { organization(id: $o) { usage {
  automations(since: $since, until: $until) { automation { id } executions succeeded failed successRate inputTokens outputTokens }
  days(since: $since, until: $until) { day executions succeeded failed successRate inputTokens outputTokens } } } }`;
interface Row extends Counts {
  successRate: number | null;
}
interface Dashboard {
  organization: { usage: { automations: Array<Row & { automation: { id: string } }>; days: Array<Row & { day: string }> } };
}
const window = { since: day(-1).toISOString(), until: day(1).toISOString() };
const dashboard = async (token: string) =>
  (await expectAllowed<Dashboard>(env.gw, token, QUERY, { o: String(org.organizationId), ...window })).organization.usage;
const rate = (c: Counts) => (c.succeeded + c.failed === 0 ? null : c.succeeded / (c.succeeded + c.failed));
const expected = (c: Counts): Row => ({ ...c, successRate: rate(c) });
const add = (names: Name[], offset: number): Row => {
  const total = zero();
  for (const name of names) {
    const c = sentByDay.get(`${name}:${offset}`) ?? zero();
    for (const key of Object.keys(total) as (keyof Counts)[]) total[key] += c[key];
  }
  return expected(total);
};

describe('the usage dashboard', () => {
  it.each([
    ['an Owner', 'owner', ['first', 'second', 'private']],
    ["a member on the private automation's whitelist", 'whitelisted', ['first', 'second', 'private']],
    ['a member off the whitelist', 'viewer', ['first', 'second']],
    ['a member with usage_dashboards but crews_dashboards NO_ACCESS', 'noCrews', []],
  ] as const)("%s: sums equal the spans' token attributes of exactly the automations it may view", async (_who, token, visible) => {
    const usage = await dashboard(tokens[token]);
    const byAutomation = Object.fromEntries(usage.automations.map(({ automation, ...row }) => [automation.id, row]));
    expect(byAutomation).toEqual(Object.fromEntries(visible.map((name) => [ids[name], expected(sent.get(name) ?? zero())])));
    // Busiest first.
    expect(usage.automations.map((r) => r.executions)).toEqual([...usage.automations.map((r) => r.executions)].sort((x, y) => y - x));
    expect(usage.days).toEqual([
      { day: isoDay(-1), ...add([...visible], 1) },
      { day: isoDay(0), ...add([...visible], 0) },
    ]);
  });

  it('the totals match the stored spans, summed independently', async () => {
    const row = await env.gw.db
      .selectFrom('spans')
      .select([
        sql<number>`sum((attributes->>'gen_ai.usage.input_tokens')::bigint)`.as('input'),
        sql<number>`sum((attributes->>'gen_ai.usage.output_tokens')::bigint)`.as('output'),
      ])
      .where('organizationId', '=', org.organizationId)
      .executeTakeFirstOrThrow();
    const usage = await dashboard(tokens.owner);
    expect(usage.automations.reduce((sum, r) => sum + r.inputTokens, 0)).toBe(Number(row.input));
    expect(usage.automations.reduce((sum, r) => sum + r.outputTokens, 0)).toBe(Number(row.output));
  });

  it('needs usage_dashboards READ: without it Organization.usage is not in the schema', async () => {
    await expectHidden(env.gw, tokens.noUsage, QUERY, { o: String(org.organizationId), ...window }, 'usage');
  });

  it.each([
    ['a window over 366 days', { since: day(-367).toISOString(), until: day(0).toISOString() }, 'at most 366 days'],
    ['until before since', { since: day(0).toISOString(), until: day(-1).toISOString() }, 'until must be after since'],
  ])('%s is BAD_USER_INPUT', async (_what, variables, message) => {
    const response = await expectDenied(env.gw, tokens.owner, QUERY, { o: String(org.organizationId), ...variables }, 'BAD_USER_INPUT');
    expect(response.errors[0]?.message).toContain(message);
  });

  it('a full year is accepted, with one entry per day and zeros where nothing ran', async () => {
    const data = await expectAllowed<Dashboard>(env.gw, tokens.owner, QUERY, {
      o: String(org.organizationId),
      since: day(-365).toISOString(),
      until: day(1).toISOString(),
    });
    expect(data.organization.usage.days).toHaveLength(366);
    expect(data.organization.usage.days[0]).toEqual({ day: isoDay(-365), ...expected(zero()) });
    expect(data.organization.usage.days.at(-1)?.day).toBe(isoDay(0));
  });
});
