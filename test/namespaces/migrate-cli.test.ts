import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT_DIR } from '../../src/paths.js';
import { REGISTRY_SECRET, SHARED_NAMESPACE, startClusterEnv, type ClusterEnv } from '../support/k8s-setup.js';
import { ALL, isolatedAfterDeploys, NONE, objectsIn, outside } from './move-fixtures.js';

// The built `gatehouse namespaces migrate --org ID` against the Kubernetes API stand-in. The bin is
// another process, so it needs the gateway's database by URL: PostgreSQL (TEST_DATABASE_URL) only.
// Spawned asynchronously: the stand-in answers from this process.
let scratch: string;
let env: ClusterEnv;

function gatehouse(extra: Record<string, string>, ...args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const kubeconfig = path.join(scratch, 'kubeconfig');
  fs.writeFileSync(kubeconfig, env.stub.kubeConfig().exportConfig());
  const childEnv = {
    ...process.env,
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    DATABASE_URL: env.gw.database.url ?? '',
    GATEHOUSE_SECRET_KEY: env.gw.secretKey.toString('base64'),
    K8S_NAMESPACE: SHARED_NAMESPACE,
    RBAC_NAMESPACE_ISOLATION: 'true',
    REGISTRY_SECRET_NAME: REGISTRY_SECRET,
    KUBE_CONFIG_SOURCE: 'kubeconfig',
    KUBECONFIG: kubeconfig,
    K8S_REQUEST_TIMEOUT_MS: '2000',
    ...extra,
  };
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(ROOT_DIR, 'dist/src/cli/main.js'), ...args], { env: childEnv });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

describe.skipIf(!process.env.TEST_DATABASE_URL)('gatehouse namespaces migrate --org ID', () => {
  beforeAll(async () => {
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-migrate-'));
    env = await startClusterEnv('automatic');
  });
  afterAll(async () => {
    await env.close();
    fs.rmSync(scratch, { recursive: true, force: true });
  });

  it('moves every automation, progress on stderr and the summary as JSON on stdout', async () => {
    const org = await isolatedAfterDeploys(env, 2);
    const result = await gatehouse({}, 'namespaces', 'migrate', '--org', String(org.organizationId));
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout.trim().split('\n')).toHaveLength(1);
    const summary = JSON.parse(result.stdout) as {
      namespace: string;
      moved: number;
      failed: number;
      automations: Array<{ automationId: string; status: string }>;
    };
    expect(summary).toMatchObject({ namespace: org.namespace, moved: 2, failed: 0 });
    expect(summary.automations.map((a) => a.automationId).sort()).toEqual([...org.automationIds].sort());
    expect(result.stderr).toContain('2 automation(s) to move');
    expect(result.stderr.match(/^\[\d\/2\] .*: DEPLOYED as version 2$/gm)).toHaveLength(2);
    for (const id of org.automationIds) {
      expect(objectsIn(env, org.namespace, id)).toEqual(ALL);
      expect(objectsIn(env, SHARED_NAMESPACE, id)).toEqual(NONE);
    }
    expect(await outside(env, org)).toEqual([]);
  }, 120_000);

  it('needs --org, an organization that exists, and a cluster', async () => {
    const missing = await gatehouse({}, 'namespaces', 'migrate');
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('--org is required');
    const unknown = await gatehouse({}, 'namespaces', 'migrate', '--org', '999999');
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain('Organization 999999 does not exist');
    const noCluster = await gatehouse({ KUBE_CONFIG_SOURCE: 'off' }, 'namespaces', 'migrate', '--org', '1');
    expect(noCluster.status).toBe(1);
    expect(noCluster.stderr).toContain('No Kubernetes cluster is configured');
    // Three runs of the bin.
  }, 120_000);
});
