import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT_DIR } from '../../src/paths.js';
import { DEPLOY, type DeploymentResult } from '../support/automation-fixtures.js';
import { isolatedOrg, REGISTRY_SECRET, SHARED_NAMESPACE, startClusterEnv, type ClusterEnv } from '../support/k8s-setup.js';

// SPEC §5: concurrent first deploys into one organization create the namespace once and all
// succeed; deploys serialize on a PostgreSQL advisory lock, so this holds across processes.
let env: ClusterEnv;
beforeAll(async () => {
  env = await startClusterEnv('automatic', { DATABASE_POOL_MAX: '10' });
});
afterAll(async () => env.close());

type DeployResponse = { data?: { deployAutomation: DeploymentResult }; errors?: unknown[] };

async function deployOver(url: string, token: string, organizationId: number, repo: string, i: number): Promise<DeployResponse> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: DEPLOY, variables: { org: String(organizationId), input: { name: `parallel-${i}`, source: { gitRepoId: repo } } } }),
  });
  return (await response.json()) as DeployResponse;
}

function startGatewayProcess(databaseUrl: string, kubeconfig: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [path.join(ROOT_DIR, 'dist/src/main.js')], {
    env: {
      ...process.env,
      NODE_ENV: 'production',
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      DATABASE_URL: databaseUrl,
      GATEHOUSE_SECRET_KEY: env.gw.secretKey.toString('base64'),
      KUBECONFIG: kubeconfig,
      KUBE_CONFIG_SOURCE: 'kubeconfig',
      K8S_NAMESPACE: SHARED_NAMESPACE,
      RBAC_NAMESPACE_ISOLATION: 'true',
      REGISTRY_SECRET_NAME: REGISTRY_SECRET,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`gateway process did not start: ${out}`)), 30_000);
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const match = /serving (http:\/\/localhost:\d+\/graphql)/.exec(out);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve({ child, url: match[1].replace('localhost', '127.0.0.1') });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.once('exit', (code) => reject(new Error(`gateway process exited ${String(code)}: ${out}`)));
  });
}

describe('concurrent first deploys into one new organization', () => {
  it('50 at once: exactly one namespace create, 50 deployments DEPLOYED', async () => {
    const org = await isolatedOrg(env.gw);
    env.stub.resetCalls();
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => deployOver(env.gw.url, org.owner.token, org.organizationId, org.repo, i)));
    expect(results.map((r) => r.errors ?? r.data?.deployAutomation.status)).toEqual(Array(50).fill('DEPLOYED'));
    expect(env.stub.count({ verb: 'create', resource: 'namespaces' })).toBe(1);
    // The registry secret is read from the shared namespace and copied once, not per deploy.
    expect(env.stub.count({ verb: 'get', resource: 'secrets', namespace: SHARED_NAMESPACE, name: REGISTRY_SECRET })).toBe(1);
    expect(env.stub.count({ verb: 'create', resource: 'secrets', namespace: org.namespace })).toBe(1 + 50);
  }, 120_000);

  it.skipIf(!process.env.TEST_DATABASE_URL)(
    '50 at once through two gateway processes sharing PostgreSQL: still one namespace create',
    async () => {
      const org = await isolatedOrg(env.gw);
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-kube-'));
      const kubeconfig = path.join(dir, 'config');
      fs.writeFileSync(kubeconfig, env.stub.kubeConfig().exportConfig());
      const processes = await Promise.all([
        startGatewayProcess(env.gw.database.url ?? '', kubeconfig),
        startGatewayProcess(env.gw.database.url ?? '', kubeconfig),
      ]);
      try {
        env.stub.resetCalls();
        const results = await Promise.all(
          Array.from({ length: 50 }, (_, i) => deployOver((processes[i % 2] ?? processes[0])?.url ?? '', org.owner.token, org.organizationId, org.repo, i)),
        );
        expect(results.map((r) => r.errors ?? r.data?.deployAutomation.status)).toEqual(Array(50).fill('DEPLOYED'));
        expect(env.stub.count({ verb: 'create', resource: 'namespaces' })).toBe(1);
      } finally {
        for (const { child } of processes) child.kill('SIGTERM');
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
    120_000,
  );
});
