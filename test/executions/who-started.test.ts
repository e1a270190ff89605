import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deployNew } from '../support/automation-fixtures.js';
import { run } from '../support/execution-fixtures.js';
import { expectAllowed } from '../support/expect.js';
import { addServiceAccount, createRole, type Actor } from '../support/fixtures.js';
import { isolatedOrg, startClusterEnv, type ClusterEnv } from '../support/k8s-setup.js';
import { startRuntimeStub, type RuntimeStub } from '../support/runtime-stub.js';

// Issue 11 point 2, "who did it": every run records who started it, a user or a service account,
// and runAutomation is audited like every other mutation that changes state; the kickoff goes out
// after the run and its entry committed, so the runtime never hears of a run it cannot report on.
let runtime: RuntimeStub;
let env: ClusterEnv;
let org: Awaited<ReturnType<typeof isolatedOrg>>;
let automationId: string;
let partner: Actor;
/** For each kickoff, whether its execution could be read by then (committed). */
const committedAtKickoff = new Map<string, boolean>();

beforeAll(async () => {
  runtime = await startRuntimeStub();
  env = await startClusterEnv('automatic', { RUNNER_URL_TEMPLATE: runtime.urlTemplate });
  org = await isolatedOrg(env.gw);
  automationId = (await deployNew(env.gw, org.owner.token, org.organizationId, org.repo)).automationId;
  partner = await addServiceAccount(env.gw, org.organizationId, await createRole(env.gw, org.organizationId, { crews_dashboards: 'READ' }));
  runtime.onKickoff(async (kickoff) => {
    const row = await env.gw.db.selectFrom('executions').select('id').where('id', '=', kickoff.executionId).executeTakeFirst();
    committedAtKickoff.set(kickoff.executionId, row !== undefined);
  });
});
afterAll(async () => {
  await env.close();
  await runtime.close();
});

const STARTED_BY = 'query($o: ID!, $id: ID!) { organization(id: $o) { execution(id: $id) { status startedBy { principalType principalId displayName } } } }';
const AUDIT =
  'query($o: ID!) { organization(id: $o) { auditLog(first: 100) { edges { node { action targetType targetId actorUserId actorServiceAccountId } } } } }';

describe('who started a run', () => {
  it.each([
    ['a user', () => org.owner.token, () => ({ principalType: 'USER', principalId: org.owner.userId })],
    ['a service account', () => partner.token, () => ({ principalType: 'SERVICE_ACCOUNT', principalId: partner.serviceAccountId })],
  ])('%s: startedBy names it, and the audit log has the start', async (_who, token, expected) => {
    const execution = await run(env.gw, token(), automationId, { topic: 'who' });
    expect(execution.status).toBe('RUNNING');
    // The runtime got the kickoff only once the run was committed: it could read it back.
    expect(runtime.kickoffs.at(-1)?.executionId).toBe(execution.id);
    expect(committedAtKickoff.get(execution.id)).toBe(true);
    const data = await expectAllowed<{ organization: { execution: { startedBy: { principalType: string; principalId: string; displayName: string } } } }>(
      env.gw,
      org.owner.token,
      STARTED_BY,
      { o: String(org.organizationId), id: execution.id },
    );
    expect(data.organization.execution.startedBy).toMatchObject(expected());
    expect(data.organization.execution.startedBy.displayName).not.toBe('');
    const log = await expectAllowed<{
      organization: {
        auditLog: { edges: Array<{ node: { action: string; targetId: string; actorUserId: string | null; actorServiceAccountId: string | null } }> };
      };
    }>(env.gw, org.owner.token, AUDIT, { o: String(org.organizationId) });
    const entries = log.organization.auditLog.edges.map((e) => e.node).filter((n) => n.action === 'execution.start' && n.targetId === execution.id);
    expect(entries).toHaveLength(1);
    const { principalType, principalId } = expected();
    expect(entries[0]).toMatchObject(
      principalType === 'USER' ? { actorUserId: principalId, actorServiceAccountId: null } : { actorUserId: null, actorServiceAccountId: principalId },
    );
  });
});
