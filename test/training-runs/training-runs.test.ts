import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrg, type OrgFixture } from '../support/fixtures.js';
import { expectAllowed, expectDenied } from '../support/expect.js';
import { startTestGateway, type TestGateway } from '../support/harness.js';

// SPEC §2 `training_ui`: READ sees runs, MANAGE starts and cancels them. No executor exists yet,
// so a started run is QUEUED until cancelled.
const START = `mutation($org: ID!, $name: String!, $iterations: Int!, $agent: ID) {
  startTrainingRun(organizationId: $org, input: { name: $name, iterations: $iterations, agentId: $agent }) { id status iterations agentId }
}`;
const CANCEL = 'mutation($id: ID!) { cancelTrainingRun(id: $id) { id status } }';
const CREATE_AGENT = 'mutation($org: ID!, $name: String!) { createAgent(organizationId: $org, input: { name: $name }) { id } }';

interface StartData {
  startTrainingRun: { id: string; status: string; iterations: number; agentId: string | null };
}

let gw: TestGateway;
let org: OrgFixture;
let other: OrgFixture;
let n = 0;

const start = (o: OrgFixture, iterations: number, agent: string | null = null) => ({
  org: String(o.organizationId),
  name: `run-${++n}`,
  iterations,
  agent,
});

async function agentOf(o: OrgFixture): Promise<string> {
  const data = await expectAllowed<{ createAgent: { id: string } }>(gw, o.owner.token, CREATE_AGENT, { org: String(o.organizationId), name: `agent-${++n}` });
  return data.createAgent.id;
}

beforeAll(async () => {
  gw = await startTestGateway();
  org = await createOrg(gw);
  other = await createOrg(gw);
});
afterAll(async () => gw.close());

describe('startTrainingRun', () => {
  it.each([0, -1, 101, 1000])('refuses %i iterations with BAD_USER_INPUT naming iterations', async (iterations) => {
    const response = await expectDenied(gw, org.owner.token, START, start(org, iterations), 'BAD_USER_INPUT');
    expect(response.errors[0]?.extensions?.field).toBe('iterations');
  });

  it.each([1, 100])('accepts %i iterations and queues the run', async (iterations) => {
    const data = await expectAllowed<StartData>(gw, org.owner.token, START, start(org, iterations));
    expect(data.startTrainingRun).toMatchObject({ status: 'QUEUED', iterations, agentId: null });
  });

  it("takes an agent of the same organization; another organization's agent is NOT_FOUND and nothing is written", async () => {
    const own = await agentOf(org);
    const data = await expectAllowed<StartData>(gw, org.owner.token, START, start(org, 3, own));
    expect(data.startTrainingRun.agentId).toBe(own);

    const foreign = await agentOf(other);
    const before = await gw.db.selectFrom('trainingRuns').select('id').where('organizationId', '=', org.organizationId).execute();
    await expectDenied(gw, org.owner.token, START, start(org, 3, foreign), 'NOT_FOUND');
    await expectDenied(gw, org.owner.token, START, start(org, 3, '00000000-0000-4000-8000-000000000000'), 'NOT_FOUND');
    const after = await gw.db.selectFrom('trainingRuns').select('id').where('organizationId', '=', org.organizationId).execute();
    expect(after).toHaveLength(before.length);
  });

  it('into another organization is NOT_FOUND', async () => {
    await expectDenied(gw, org.owner.token, START, start(other, 3), 'NOT_FOUND');
  });
});

describe('cancelTrainingRun', () => {
  it('cancels a QUEUED run; a run that has ended is CONFLICT', async () => {
    const { startTrainingRun: run } = await expectAllowed<StartData>(gw, org.owner.token, START, start(org, 2));
    const data = await expectAllowed<{ cancelTrainingRun: { status: string } }>(gw, org.owner.token, CANCEL, { id: run.id });
    expect(data.cancelTrainingRun.status).toBe('CANCELLED');
    await expectDenied(gw, org.owner.token, CANCEL, { id: run.id }, 'CONFLICT');
  });

  it.each(['SUCCEEDED', 'FAILED'] as const)('refuses to cancel a %s run with CONFLICT', async (status) => {
    const { startTrainingRun: run } = await expectAllowed<StartData>(gw, org.owner.token, START, start(org, 2));
    await gw.db.updateTable('trainingRuns').set({ status }).where('id', '=', run.id).execute();
    await expectDenied(gw, org.owner.token, CANCEL, { id: run.id }, 'CONFLICT');
  });

  it('cancels a RUNNING run', async () => {
    const { startTrainingRun: run } = await expectAllowed<StartData>(gw, org.owner.token, START, start(org, 2));
    await gw.db.updateTable('trainingRuns').set({ status: 'RUNNING' }).where('id', '=', run.id).execute();
    await expectAllowed(gw, org.owner.token, CANCEL, { id: run.id });
  });

  it("another organization's run is NOT_FOUND and stays QUEUED", async () => {
    const { startTrainingRun: run } = await expectAllowed<StartData>(gw, other.owner.token, START, start(other, 2));
    await expectDenied(gw, org.owner.token, CANCEL, { id: run.id }, 'NOT_FOUND');
    const row = await gw.db.selectFrom('trainingRuns').select('status').where('id', '=', run.id).executeTakeFirstOrThrow();
    expect(row.status).toBe('QUEUED');
  });
});
