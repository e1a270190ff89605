import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { K8S_NAMESPACE_ISOLATION_FLAG, setFlag } from '../../src/modules/feature-flags/feature-flags.repository.js';
import { createOrg } from '../support/fixtures.js';
import { expectAllowed, expectHidden } from '../support/expect.js';
import { SHARED_NAMESPACE, startClusterEnv, type ClusterEnv } from '../support/k8s-setup.js';
import { ALL, isolatedAfterDeploys, migrate, NONE, objectsIn, outside, REDEPLOY, VIEW } from './move-fixtures.js';

// Issue 13 item 5: isolation turned on for an organization whose automations already run in the
// shared namespace. The admin view lists them; a redeploy moves one; `gatehouse namespaces
// migrate` moves them all; the old objects go only once the new ones are ready. Against the
// Kubernetes API stand-in, whose Deployments are rolled out as soon as they are written.
let env: ClusterEnv;
beforeAll(async () => {
  // A short rollout timeout for the test of a rollout that does not finish; the stand-in's finish at once.
  env = await startClusterEnv('automatic', { K8S_ROLLOUT_TIMEOUT_MS: '1000' });
});
afterAll(async () => env.close());

interface Redeployed {
  redeployAutomation: { status: string; version: number; namespace: string; message: string | null; retryable: boolean };
}

describe('automations outside the organization namespace', () => {
  it('the admin view lists both; migrate moves both, rollout first; then none is left in the shared namespace', async () => {
    const org = await isolatedAfterDeploys(env, 2);
    const listed = await outside(env, org);
    expect(listed.map((a) => [a.automationId, a.namespace, a.version]).sort()).toEqual(org.automationIds.map((id) => [id, SHARED_NAMESPACE, 1]).sort());
    expect(listed.every((a) => a.name.startsWith('automation-'))).toBe(true);

    env.stub.resetCalls();
    const { summary, lines } = await migrate(env, org.organizationId);
    expect(summary).toMatchObject({ organizationId: org.organizationId, namespace: org.namespace, isolated: true, moved: 2, failed: 0 });
    expect(summary.automations.map((a) => [a.from, a.to, a.fromVersion, a.version, a.status])).toEqual([
      [SHARED_NAMESPACE, org.namespace, 1, 2, 'DEPLOYED'],
      [SHARED_NAMESPACE, org.namespace, 1, 2, 'DEPLOYED'],
    ]);
    expect(lines.filter((line) => /^\[\d\/2\] .*: DEPLOYED as version 2$/.test(line))).toHaveLength(2);

    for (const id of org.automationIds) {
      expect(objectsIn(env, org.namespace, id)).toEqual(ALL);
      expect(objectsIn(env, SHARED_NAMESPACE, id)).toEqual(NONE);
      // Readiness was read in the new namespace before anything was deleted in the old one.
      const calls = env.stub.calls;
      const ready = calls.findIndex((c) => c.verb === 'get' && c.resource === 'deployments' && c.namespace === org.namespace && c.name === `automation-${id}`);
      const removed = calls.findIndex((c) => c.verb === 'delete' && c.namespace === SHARED_NAMESPACE && c.name?.startsWith(`automation-${id}`));
      expect(ready).toBeGreaterThan(-1);
      expect(removed).toBeGreaterThan(ready);
    }
    expect(await outside(env, org)).toEqual([]);
    // A second run has nothing to do.
    expect((await migrate(env, org.organizationId)).summary).toMatchObject({ moved: 0, failed: 0, automations: [] });
  });

  it('a redeploy of one moves just that one', async () => {
    const org = await isolatedAfterDeploys(env, 2);
    const [moved, stays] = org.automationIds as [string, string];
    const data = await expectAllowed<Redeployed>(env.gw, org.owner.token, REDEPLOY, { id: moved });
    expect(data.redeployAutomation).toMatchObject({ status: 'DEPLOYED', version: 2, namespace: org.namespace });
    expect(data.redeployAutomation.message).toContain(`Moved from "${SHARED_NAMESPACE}" to "${org.namespace}"`);
    expect(objectsIn(env, org.namespace, moved)).toEqual(ALL);
    expect(objectsIn(env, SHARED_NAMESPACE, moved)).toEqual(NONE);
    expect(objectsIn(env, SHARED_NAMESPACE, stays)).toEqual(ALL);
    expect(objectsIn(env, org.namespace, stays)).toEqual(NONE);
    expect((await outside(env, org)).map((a) => a.automationId)).toEqual([stays]);
    // A redeploy where it already runs moves nothing and says nothing about moving.
    const again = await expectAllowed<Redeployed>(env.gw, org.owner.token, REDEPLOY, { id: moved });
    expect(again.redeployAutomation).toMatchObject({ status: 'DEPLOYED', version: 3, namespace: org.namespace, message: null });
  });

  it('a rollout that is not ready in time leaves the automation where it ran and removes the new objects', async () => {
    const org = await isolatedAfterDeploys(env, 1);
    const [id] = org.automationIds as [string];
    // The readiness read answers only after the client's request timeout (2 s), past K8S_ROLLOUT_TIMEOUT_MS.
    env.stub.failNext({ method: 'GET', path: new RegExp(`/namespaces/${org.namespace}/deployments/automation-${id}$`), delayMs: 3000 });
    const data = await expectAllowed<Redeployed>(env.gw, org.owner.token, REDEPLOY, { id });
    expect(data.redeployAutomation).toMatchObject({ status: 'FAILED', retryable: true, namespace: org.namespace });
    expect(data.redeployAutomation.message).toContain('was not ready within 1 s');
    expect(data.redeployAutomation.message).toContain(`keeps running in "${SHARED_NAMESPACE}"`);
    expect(objectsIn(env, SHARED_NAMESPACE, id)).toEqual(ALL);
    expect(objectsIn(env, org.namespace, id)).toEqual(NONE);
    expect((await outside(env, org)).map((a) => [a.automationId, a.namespace, a.version])).toEqual([[id, SHARED_NAMESPACE, 1]]);
    // Fixed (here: nothing to fix), migrate completes the move.
    expect((await migrate(env, org.organizationId)).summary).toMatchObject({ moved: 1, failed: 0 });
    expect(objectsIn(env, org.namespace, id)).toEqual(ALL);
    expect(objectsIn(env, SHARED_NAMESPACE, id)).toEqual(NONE);
  });

  it('old objects that cannot be removed are reported, stay listed, and the next migrate removes them', async () => {
    const org = await isolatedAfterDeploys(env, 1);
    const [id] = org.automationIds as [string];
    env.stub.failNext({ method: 'DELETE', path: new RegExp(`/namespaces/${SHARED_NAMESPACE}/services/automation-${id}$`), status: 503 });
    const { summary } = await migrate(env, org.organizationId);
    expect(summary).toMatchObject({ moved: 0, failed: 1 });
    expect(summary.automations[0]?.message).toContain(`could not be removed, so it may run in both`);
    expect(summary.automations[0]?.message).toContain(`gatehouse namespaces migrate --org ${org.organizationId}`);
    expect(objectsIn(env, SHARED_NAMESPACE, id)).toEqual(ALL);
    expect(objectsIn(env, org.namespace, id)).toEqual(ALL);
    expect((await outside(env, org)).map((a) => a.namespace)).toEqual([SHARED_NAMESPACE]);
    expect((await migrate(env, org.organizationId)).summary).toMatchObject({ moved: 1, failed: 0 });
    expect(objectsIn(env, SHARED_NAMESPACE, id)).toEqual(NONE);
    expect(await outside(env, org)).toEqual([]);
  });

  it('turning isolation off again moves them back the same way', async () => {
    const org = await isolatedAfterDeploys(env, 1);
    const [id] = org.automationIds as [string];
    await migrate(env, org.organizationId);
    await setFlag(env.gw.db, K8S_NAMESPACE_ISOLATION_FLAG, false, org.organizationId);
    expect((await outside(env, org)).map((a) => a.namespace)).toEqual([org.namespace]);
    expect((await migrate(env, org.organizationId)).summary).toMatchObject({ namespace: SHARED_NAMESPACE, isolated: false, moved: 1 });
    expect(objectsIn(env, SHARED_NAMESPACE, id)).toEqual(ALL);
    expect(objectsIn(env, org.namespace, id)).toEqual(NONE);
  });

  it('is for instance administrators: an Owner who is not one does not have the field', async () => {
    const org = await createOrg(env.gw);
    await expectHidden(env.gw, org.owner.token, VIEW, { o: String(org.organizationId) }, 'automationsOutsideNamespace');
  });
});
