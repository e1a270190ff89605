import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deployNew } from '../support/automation-fixtures.js';
import { ingestTokenOf, otlpRequest, otlpSpan, postTraces, RUN, run } from '../support/execution-fixtures.js';
import { expectAllowed, expectDenied } from '../support/expect.js';
import { addMember, createRole } from '../support/fixtures.js';
import { isolatedOrg, startClusterEnv, type ClusterEnv } from '../support/k8s-setup.js';
import { startRuntimeStub, type RuntimeStub } from '../support/runtime-stub.js';

// Issue 4 "Runs" (SPEC §3 `run`): the gateway records the execution, then forwards the kickoff to
// the deployed automation's runtime; a failed forward leaves a FAILED execution with the reason.
let runtime: RuntimeStub;
let env: ClusterEnv;
let org: Awaited<ReturnType<typeof isolatedOrg>>;
let automationId: string;
let privateId: string;
const tokens: Record<string, string> = {};

const ACCESS = `mutation($id: ID!, $access: [AutomationAccessInput!]!) { setAutomationAccess(id: $id, visibility: PRIVATE, access: $access) { id } }`;
const EXECUTIONS =
  'query($o: ID!, $id: ID!) { organization(id: $o) { automation(id: $id) { executions(first: 100) { totalCount edges { node { id status error } } } } } }';

const executionsOf = async (id: string) =>
  Number(
    (
      await env.gw.db
        .selectFrom('executions')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('automationId', '=', id)
        .executeTakeFirstOrThrow()
    ).n,
  );

beforeAll(async () => {
  runtime = await startRuntimeStub();
  env = await startClusterEnv('automatic', { RUNNER_URL_TEMPLATE: runtime.urlTemplate, RUNNER_TIMEOUT_MS: '500' });
  org = await isolatedOrg(env.gw);
  automationId = (await deployNew(env.gw, org.owner.token, org.organizationId, org.repo)).automationId;
  privateId = (await deployNew(env.gw, org.owner.token, org.organizationId, org.repo)).automationId;
  const read = await createRole(env.gw, org.organizationId, { crews_dashboards: 'READ' });
  const runner = await addMember(env.gw, org.organizationId, read);
  const tracer = await addMember(env.gw, org.organizationId, read);
  await expectAllowed(env.gw, org.owner.token, ACCESS, {
    id: privateId,
    access: [
      { principalType: 'USER', principalId: runner.userId, permissions: ['RUN'] },
      { principalType: 'USER', principalId: tracer.userId, permissions: ['TRACES'] },
    ],
  });
  Object.assign(tokens, {
    owner: org.owner.token,
    reader: (await addMember(env.gw, org.organizationId, read)).token,
    runner: runner.token,
    tracer: tracer.token,
    noAccess: (await addMember(env.gw, org.organizationId, await createRole(env.gw, org.organizationId, { crews_dashboards: 'NO_ACCESS' }))).token,
  });
});
afterAll(async () => {
  await env.close();
  await runtime.close();
});

describe('runAutomation needs run on the automation (SPEC §3)', () => {
  it.each([
    ['an Owner', 'owner', 'organization', 'ok'],
    ['a member with crews_dashboards READ, organization-wide automation', 'reader', 'organization', 'ok'],
    ['a member whitelisted with run, private automation', 'runner', 'private', 'ok'],
    ['a member whitelisted with traces only, private automation', 'tracer', 'private', 'FORBIDDEN'],
    ['a member off the whitelist, private automation', 'reader', 'private', 'NOT_FOUND'],
    ['a member with crews_dashboards NO_ACCESS (runAutomation is not in its schema)', 'noAccess', 'organization', 'hidden'],
  ])('%s: %s', async (_who, token, which, outcome) => {
    const id = which === 'private' ? privateId : automationId;
    const before = { executions: await executionsOf(id), kickoffs: runtime.kickoffs.length };
    const response = await env.gw.gql<{ runAutomation: { status: string } }>(tokens[token], RUN, { id, inputs: {} });
    if (outcome === 'ok') {
      expect(response.errors).toEqual([]);
      expect(response.data?.runAutomation.status).toBe('RUNNING');
      expect(runtime.kickoffs.length).toBe(before.kickoffs + 1);
      return;
    }
    if (outcome === 'hidden') {
      expect(response.status).toBe(400);
      expect(response.data).toBeNull();
      expect(response.errors.map((e) => e.extensions?.code)).toContain('GRAPHQL_VALIDATION_FAILED');
      expect(response.errors.map((e) => e.message).join('\n')).toContain('Cannot query field "runAutomation"');
    } else {
      expect(response.errors.map((e) => e.extensions?.code)).toEqual([outcome]);
    }
    if (outcome === 'FORBIDDEN' && token === 'tracer') expect(response.errors[0]?.message).toContain('runAutomation needs the run permission');
    // A refused run is neither recorded nor forwarded.
    expect(await executionsOf(id)).toBe(before.executions);
    expect(runtime.kickoffs.length).toBe(before.kickoffs);
  });
});

describe('the kickoff', () => {
  it("goes to the automation's address with the execution id and inputs; the execution is RUNNING", async () => {
    const execution = await run(env.gw, org.owner.token, automationId, { topic: 'otters', depth: 2 });
    expect(execution).toMatchObject({ status: 'RUNNING', error: null, finishedAt: null, inputs: { topic: 'otters', depth: 2 }, deployment: { version: 1 } });
    const kickoff = runtime.kickoffs.at(-1);
    expect(kickoff).toMatchObject({ path: `/${org.namespace}/${automationId}/kickoff`, executionId: execution.id, inputs: { topic: 'otters', depth: 2 } });
    expect(kickoff?.requestId).toMatch(/^[A-Za-z0-9._-]{8,64}$/);
  });

  it('refused by the runtime (HTTP 503) leaves the execution FAILED with the status and what the runtime said, and listed', async () => {
    runtime.answer({ status: 503, body: 'model is still warming up' });
    try {
      const execution = await run(env.gw, org.owner.token, automationId);
      expect(execution.status).toBe('FAILED');
      expect(execution.error).toContain('HTTP 503');
      expect(execution.error).toContain('model is still warming up');
      expect(execution.finishedAt).not.toBeNull();
      const listed = await expectAllowed<{
        organization: { automation: { executions: { edges: Array<{ node: { id: string; status: string; error: string } }> } } };
      }>(env.gw, org.owner.token, EXECUTIONS, { o: String(org.organizationId), id: automationId });
      expect(listed.organization.automation.executions.edges.map((e) => e.node)).toContainEqual({ id: execution.id, status: 'FAILED', error: execution.error });
    } finally {
      runtime.answer({ status: 202 });
    }
  });

  it('a runtime slower than RUNNER_TIMEOUT_MS leaves the execution FAILED, saying so', async () => {
    runtime.answer({ status: 202, delayMs: 2000 });
    try {
      const execution = await run(env.gw, org.owner.token, automationId);
      expect(execution.status).toBe('FAILED');
      expect(execution.error).toContain('did not answer the kickoff within 500 ms');
    } finally {
      runtime.answer({ status: 202 });
    }
  });

  it('a runtime that drops the connection leaves the execution FAILED as unreachable', async () => {
    runtime.answer({ drop: true });
    try {
      const execution = await run(env.gw, org.owner.token, automationId);
      expect(execution.status).toBe('FAILED');
      expect(execution.error).toContain('could not be reached');
    } finally {
      runtime.answer({ status: 202 });
    }
  });

  it('without a deployed version the execution is FAILED at once and nothing is sent', async () => {
    env.stub.failNext({ method: 'POST', path: /\/deployments$/, status: 422 });
    const { deployment, automationId: never } = await deployNew(env.gw, org.owner.token, org.organizationId, org.repo);
    expect(deployment.status).toBe('FAILED');
    const kickoffs = runtime.kickoffs.length;
    const execution = await run(env.gw, org.owner.token, never, { topic: 'x' });
    expect(execution).toMatchObject({ status: 'FAILED', deployment: null, inputs: { topic: 'x' } });
    expect(execution.error).toContain('no deployed version');
    expect(runtime.kickoffs.length).toBe(kickoffs);
  });

  it('a runtime that reports the run SUCCEEDED before answering keeps it SUCCEEDED', async () => {
    const ingestToken = ingestTokenOf(env, org.namespace, automationId);
    runtime.onKickoff(async (kickoff) => {
      const root = otlpSpan({ executionId: kickoff.executionId, name: 'crew', attributes: { 'gatehouse.execution.status': 'SUCCEEDED' } });
      expect((await postTraces(env.gw, ingestToken, otlpRequest([root]))).status).toBe(200);
    });
    try {
      const execution = await run(env.gw, org.owner.token, automationId);
      expect(execution.status).toBe('SUCCEEDED');
      expect(execution.finishedAt).not.toBeNull();
    } finally {
      runtime.onKickoff(null);
    }
  });

  it.each([
    ['over 64 KiB', { blob: 'x'.repeat(70_000) }],
    ['holding a NUL character', { text: 'a\u0000b' }],
  ])('inputs %s are BAD_USER_INPUT and nothing is recorded or sent', async (_what, inputs) => {
    const before = { executions: await executionsOf(automationId), kickoffs: runtime.kickoffs.length };
    const response = await expectDenied(env.gw, org.owner.token, RUN, { id: automationId, inputs }, 'BAD_USER_INPUT');
    expect(response.errors[0]?.extensions?.field).toBe('inputs');
    expect(await executionsOf(automationId)).toBe(before.executions);
    expect(runtime.kickoffs.length).toBe(before.kickoffs);
  });

  // Last: it stops the runtime for good.
  it('a runtime nothing listens for (connection refused) leaves the execution FAILED with the cause', async () => {
    await runtime.close();
    const execution = await run(env.gw, org.owner.token, automationId);
    expect(execution.status).toBe('FAILED');
    expect(execution.error).toContain('ECONNREFUSED');
  });
});
