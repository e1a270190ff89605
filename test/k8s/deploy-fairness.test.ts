import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEPLOY, deployNew, type DeploymentResult } from '../support/automation-fixtures.js';
import { expectAllowed } from '../support/expect.js';
import { isolatedOrg, startClusterEnv, type ClusterEnv } from '../support/k8s-setup.js';

// Issue 14 §1: one organization whose namespace create hangs, with 50 deploys queued behind it,
// must not slow another organization's queries or /readyz: no database connection is held across
// a Kubernetes call, and queued deploys wait in memory. A small pool makes a held connection show
// at once (with 4 connections, 50 waiting deploys holding one each would stall everyone). The
// per-organization cap is lifted so that the property tested is the first: every one of the 50
// deploys is past its turn and waiting on the namespace, none may hold a connection meanwhile.
// The Kubernetes timeout is far away: the test ends the hang itself (releaseHung) once B is measured.
const HANG_MS = 60_000;
const RECORDED_WITHIN_MS = 15_000;
const QUEUED = 50;
const SAMPLES = 100;

let env: ClusterEnv;

const AUTOMATIONS =
  'query($org: ID!) { organization(id: $org) { name automations(first: 20) { edges { node { id name latestDeployment { version status } } } } } }';

function p99(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.99) - 1)] ?? Number.NaN;
}

/** Latencies (ms) of B's automations screen and of /readyz, taken alternately. */
async function measure(token: string, organizationId: number, samples = SAMPLES): Promise<{ query: number[]; readyz: number[] }> {
  const query: number[] = [];
  const readyz: number[] = [];
  for (let i = 0; i < samples; i++) {
    let started = performance.now();
    const response = await env.gw.gql(token, AUTOMATIONS, { org: String(organizationId) });
    query.push(performance.now() - started);
    expect(response.errors).toEqual([]);
    started = performance.now();
    const ready = await fetch(new URL('/readyz', env.gw.url));
    readyz.push(performance.now() - started);
    expect(ready.status).toBe(200);
  }
  return { query, readyz };
}

// PostgreSQL only: PGlite has one connection in all, and the property is about a pool.
describe.skipIf(!process.env.TEST_DATABASE_URL)("one organization's hung namespace create", () => {
  beforeAll(async () => {
    env = await startClusterEnv('automatic', { DATABASE_POOL_MAX: '4', K8S_REQUEST_TIMEOUT_MS: String(HANG_MS), K8S_DEPLOYS_PER_ORGANIZATION: String(QUEUED) });
  });
  afterAll(async () => env.close());

  // What is asserted is structural: B's 100 queries and /readyz calls all answer while the 50
  // deploys still wait on the hung call (with 4 connections, deploys that held one each would
  // stall them until the hang ended, which only this test ends). The p99 ratios are printed, not
  // asserted: a timing threshold fails on a busy machine for reasons of the machine (it did, at
  // 4.7x, while the other worker ran a CPU-bound suite).
  it(`answers another organization's queries and /readyz while ${QUEUED} deploys wait behind a hung call`, async () => {
    const a = await isolatedOrg(env.gw);
    const b = await isolatedOrg(env.gw);
    await deployNew(env.gw, b.owner.token, b.organizationId, b.repo);
    await measure(b.owner.token, b.organizationId, 30); // warm-up: JIT, connections, caches
    const baseline = await measure(b.owner.token, b.organizationId);

    env.stub.failNext({ method: 'POST', path: /^\/api\/v1\/namespaces$/, hang: true });
    const deploys = Array.from({ length: QUEUED }, (_, i) =>
      env.gw.gql<{ deployAutomation: DeploymentResult }>(a.owner.token, DEPLOY, {
        org: String(a.organizationId),
        input: { name: `stalled-${i}`, source: { gitRepoId: a.repo } },
      }),
    );
    // Every deploy recorded, and the namespace create sent and unanswered. Time is the clock's: a
    // gateway that held its connections would delay these very queries until the hang ended.
    const hangStarted = performance.now();
    for (;;) {
      const recorded = await env.gw.db
        .selectFrom('automationDeployments')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('organizationId', '=', a.organizationId)
        .executeTakeFirstOrThrow();
      if (Number(recorded.n) === QUEUED && env.stub.calls.some((c) => c.verb === 'create' && c.name === a.namespace && c.status === 0)) break;
      if (performance.now() - hangStarted > RECORDED_WITHIN_MS)
        throw new Error(`only ${recorded.n} of ${QUEUED} deploys recorded within ${RECORDED_WITHIN_MS} ms of the hang`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const stalled = await measure(b.owner.token, b.organizationId);
    const finished = await env.gw.db
      .selectFrom('automationDeployments')
      .select('id')
      .where('organizationId', '=', a.organizationId)
      .where('status', 'in', ['DEPLOYED', 'FAILED'])
      .execute();
    expect(finished, 'none of the deploys had finished while B was measured').toEqual([]);
    expect(env.stub.releaseHung(), 'the namespace create was still hanging').toBe(1);

    // The hang ends (504): the deploys waiting on it fail with one retryable message that names
    // the namespace and the call.
    const results = await Promise.all(deploys);
    // B again, with A quiet: the baseline is taken on both sides of the stall, so that noise from
    // whatever else the machine runs is not charged to A.
    const after = await measure(b.owner.token, b.organizationId);
    const base = { query: Math.max(p99(baseline.query), p99(after.query)), readyz: Math.max(p99(baseline.readyz), p99(after.readyz)) };
    const figures = {
      queryP99: { before: p99(baseline.query), stalled: p99(stalled.query), after: p99(after.query) },
      readyzP99: { before: p99(baseline.readyz), stalled: p99(stalled.readyz), after: p99(after.readyz) },
    };
    const ratios = { query: p99(stalled.query) / base.query, readyz: p99(stalled.readyz) / base.readyz };
    console.info(`deploy fairness (${SAMPLES} samples each, ms): ${JSON.stringify(figures)}; p99 ratios ${JSON.stringify(ratios)}`);
    expect(stalled.query).toHaveLength(SAMPLES);
    expect(stalled.readyz).toHaveLength(SAMPLES);

    const outcomes = results.map((r) => r.data?.deployAutomation);
    const failed = outcomes.filter((o) => o?.status === 'FAILED');
    expect(outcomes.map((o) => [o?.status, o?.retryable])).toEqual(Array(QUEUED).fill(['FAILED', true]));
    expect(failed[0]?.message).toContain(`create namespaces "${a.namespace}"`);
    expect(failed[0]?.message).toContain('redeploy to retry');
    const id = failed[0]?.id ?? '';
    const row = await env.gw.db.selectFrom('automationDeployments').select('automationId').where('id', '=', id).executeTakeFirstOrThrow();
    const again = await expectAllowed<{ redeployAutomation: { status: string } }>(
      env.gw,
      a.owner.token,
      'mutation($id: ID!) { redeployAutomation(id: $id) { status } }',
      { id: row.automationId },
    );
    expect(again.redeployAutomation.status).toBe('DEPLOYED');
  }, 300_000);
});
