import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectRepo, deployNew } from '../support/automation-fixtures.js';
import { createOrg } from '../support/fixtures.js';
import { startTestGateway, type TestGateway } from '../support/harness.js';
import { startClusterEnv, type ClusterEnv } from '../support/k8s-setup.js';
import { scrape, valueOf } from './prometheus-text.js';

// README "Metrics": gatehouse_deploys_total{outcome, reason} counts deploys as they end.
const DEPLOYS = 'gatehouse_deploys_total';

async function deploysOf(gw: TestGateway): Promise<(outcome: string, reason: string) => number> {
  const text = await scrape(gw);
  return (outcome, reason) => valueOf(text, DEPLOYS, { outcome, reason }) ?? Number.NaN;
}

async function deployOnce(gw: TestGateway) {
  const org = await createOrg(gw);
  const repo = await connectRepo(gw, org.owner.token, org.organizationId);
  return (await deployNew(gw, org.owner.token, org.organizationId, repo)).deployment;
}

describe('with the Kubernetes stand-in', () => {
  let env: ClusterEnv;
  beforeAll(async () => {
    env = await startClusterEnv('automatic');
  });
  afterAll(async () => env.close());

  it('a deploy that is applied counts once as DEPLOYED', async () => {
    const before = await deploysOf(env.gw);
    expect((await deployOnce(env.gw)).status).toBe('DEPLOYED');
    const after = await deploysOf(env.gw);
    expect(after('DEPLOYED', 'none')).toBe(before('DEPLOYED', 'none') + 1);
    expect(after('FAILED', 'kubernetes_5xx')).toBe(before('FAILED', 'kubernetes_5xx'));
  });

  it('a deploy the Kubernetes API fails with a 503 counts as FAILED, kubernetes_5xx', async () => {
    const before = await deploysOf(env.gw);
    env.stub.failNext({ path: /\/deployments/, status: 503 });
    expect((await deployOnce(env.gw)).status).toBe('FAILED');
    const after = await deploysOf(env.gw);
    expect(after('FAILED', 'kubernetes_5xx')).toBe(before('FAILED', 'kubernetes_5xx') + 1);
    expect(after('DEPLOYED', 'none')).toBe(before('DEPLOYED', 'none'));
  });
});

describe('without a cluster', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway();
  });
  afterAll(async () => gw.close());

  it('a deploy that is recorded, not applied, counts as FAILED, no_cluster', async () => {
    const before = await deploysOf(gw);
    expect((await deployOnce(gw)).status).toBe('FAILED');
    const after = await deploysOf(gw);
    expect(after('FAILED', 'no_cluster')).toBe(before('FAILED', 'no_cluster') + 1);
    expect(after('DEPLOYED', 'none')).toBe(0);
  });
});
