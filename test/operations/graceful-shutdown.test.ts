import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DEPLOY, type DeploymentResult } from '../support/automation-fixtures.js';
import { DOCKER_CONFIG, REGISTRY_SECRET, SHARED_NAMESPACE } from '../support/k8s-setup.js';
import { startKubeStub, type KubeStub } from '../support/kube-stub/index.js';
import {
  createServerStore,
  gqlAt,
  killServerProcesses,
  postGraphQL,
  runCli,
  startServerProcess,
  type ServerProcess,
  type ServerStore,
} from '../support/server-process.js';

// Issue 6: SIGTERM stops accepting connections, lets in-flight requests (a deploy included) finish,
// closes what is still open after SHUTDOWN_GRACE_MS, closes the pool and exits 0. The built server
// runs in a child process against the Kubernetes API stand-in; the deploy is the long request,
// held in flight by a delay on its first Kubernetes call.

let store: ServerStore;
let stub: KubeStub;
let kubeDir: string;
let owner: { organizationId: number; token: string };

beforeAll(async () => {
  store = await createServerStore();
  stub = await startKubeStub();
  stub.seedNamespace(SHARED_NAMESPACE);
  stub.seedSecret(SHARED_NAMESPACE, REGISTRY_SECRET, 'kubernetes.io/dockerconfigjson', { '.dockerconfigjson': DOCKER_CONFIG });
  stub.grantClusterWide();
  kubeDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-kube-'));
  fs.writeFileSync(path.join(kubeDir, 'config'), stub.kubeConfig().exportConfig());
  // Before any server: PGlite allows one process on the data directory.
  owner = await runCli<{ organizationId: number; token: string }>(store.env, ['org', 'create', '--name', 'Shutdown', '--owner-email', 'ops@example.com']);
});

afterAll(async () => {
  killServerProcesses();
  await stub?.close();
  if (kubeDir) fs.rmSync(kubeDir, { recursive: true, force: true });
  await store?.close();
});

function start(env: Record<string, string>): Promise<ServerProcess> {
  return startServerProcess({
    ...store.env,
    // `shutting down` is an info line: the test waits for it before it tries a new connection.
    LOG_LEVEL: 'info',
    KUBECONFIG: path.join(kubeDir, 'config'),
    KUBE_CONFIG_SOURCE: 'kubeconfig',
    K8S_NAMESPACE: SHARED_NAMESPACE,
    RBAC_NAMESPACE_ISOLATION: 'true',
    REGISTRY_SECRET_NAME: REGISTRY_SECRET,
    ...env,
  });
}

let repos = 0;
async function connectRepo(server: ServerProcess): Promise<string> {
  const response = await gqlAt<{ connectGitRepo: { id: string } }>(
    server.url,
    owner.token,
    'mutation($org: ID!, $name: String!) { connectGitRepo(organizationId: $org, input: { fullName: $name }) { id } }',
    { org: String(owner.organizationId), name: `acme/shutdown-${++repos}` },
  );
  expect(response.errors).toEqual([]);
  return response.data?.connectGitRepo.id ?? '';
}

/**
 * Starts a deploy and resolves once the server is inside it (its first Kubernetes call has
 * arrived), with the answer still to come.
 */
async function deployInFlight(
  server: ServerProcess,
  name: string,
  repo: string,
  agent?: http.Agent,
): Promise<{ answer: Promise<{ status: number; raw: string }> }> {
  stub.resetCalls();
  const answer = postGraphQL(server.url, owner.token, DEPLOY, { org: String(owner.organizationId), input: { name, source: { gitRepoId: repo } } }, agent);
  // Keep a rejection observed while the test is still waiting; each case awaits `answer` itself.
  answer.catch(() => undefined);
  await vi.waitFor(() => expect(stub.calls.length).toBeGreaterThan(0), { timeout: 20_000, interval: 20 });
  return { answer };
}

async function terminate(server: ServerProcess): Promise<void> {
  server.child.kill('SIGTERM');
  await server.printed(/"msg":"shutting down"/);
}

const VIEWER = '{ viewer { user { email } } }';

/** 'served' when the request got an answer from the gateway's API; otherwise how it was turned away. */
async function service(request: Promise<{ status: number; raw: string }>): Promise<string> {
  try {
    const { status, raw } = await request;
    return status === 200 ? 'served' : `HTTP ${status}: ${raw}`;
  } catch (error) {
    return error instanceof Error && 'code' in error && typeof error.code === 'string' ? error.code : String(error);
  }
}

describe('SIGTERM during a long request', () => {
  it('the in-flight deploy completes DEPLOYED, new requests are refused, and the process exits 0', async () => {
    const server = await start({ SHUTDOWN_GRACE_MS: '60000' });
    const repo = await connectRepo(server);
    stub.failNext({ delayMs: 3_000 });
    // A keep-alive client, as a load balancer is: its connection is busy with the deploy at the signal.
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const { answer } = await deployInFlight(server, 'finishes-after-sigterm', repo, agent);

    await terminate(server);
    expect(stub.calls[0]?.status, 'the deploy was still waiting on Kubernetes when the signal was handled').toBe(0);
    expect(await service(postGraphQL(server.url, owner.token, VIEWER))).toBe('ECONNREFUSED');

    const { status, raw } = await answer;
    expect(status).toBe(200);
    const body = JSON.parse(raw) as { data?: { deployAutomation: DeploymentResult }; errors?: unknown[] };
    expect(body.errors).toBeUndefined();
    expect(body.data?.deployAutomation.status).toBe('DEPLOYED');
    // Applied in full: the delayed call was served after the signal, and the rest followed it.
    expect(body.data?.deployAutomation.appliedObjects.map((o) => o.kind)).toEqual(['Secret', 'Deployment', 'Service']);
    // The connection that carried it does not carry a new request after the answer.
    // (It is closed right after the answer, so a request sent on it meets a reset or a 503.)
    expect(await service(postGraphQL(server.url, owner.token, VIEWER, {}, agent))).not.toBe('served');
    agent.destroy();
    // Before the 60 s grace period ends: once the deploy was answered, nothing held the process.
    expect(await server.exited, server.output()).toEqual({ code: 0, signal: null });
  }, 60_000);

  it('a request that outlives SHUTDOWN_GRACE_MS has its connection closed, the process still exits 0, and the automation can be deployed afterwards', async () => {
    const server = await start({ SHUTDOWN_GRACE_MS: '300', K8S_REQUEST_TIMEOUT_MS: '3000' });
    const repo = await connectRepo(server);
    // The first Kubernetes call is never answered: only the grace period ends the request.
    stub.failNext({ hang: true });
    const { answer } = await deployInFlight(server, 'outlives-grace', repo);

    await terminate(server);
    expect(await service(answer)).toBe('ECONNRESET');
    expect(await server.exited, server.output()).toEqual({ code: 0, signal: null });

    const again = await start({});
    try {
      const automations = await gqlAt<{
        organization: {
          automations: { edges: Array<{ node: { id: string; name: string; latestDeployment: { status: string; retryable: boolean } | null } }> };
        };
      }>(
        again.url,
        owner.token,
        'query($org: ID!) { organization(id: $org) { automations(first: 20) { edges { node { id name latestDeployment { status retryable } } } } } }',
        { org: String(owner.organizationId) },
      );
      expect(automations.errors).toEqual([]);
      const interrupted = automations.data?.organization.automations.edges.find((e) => e.node.name === 'outlives-grace')?.node;
      // The version was committed before any Kubernetes call; the shutdown recorded it as an
      // interrupted, retryable failure, which a redeploy completes (on PostgreSQL and PGlite alike).
      expect(interrupted?.latestDeployment).toEqual({ status: 'FAILED', retryable: true });
      const response = await gqlAt<{ redeployAutomation: { status: string } }>(
        again.url,
        owner.token,
        'mutation($id: ID!) { redeployAutomation(id: $id) { status } }',
        { id: interrupted?.id },
      );
      const redeployed = response.data?.redeployAutomation;
      expect(redeployed?.status).toBe('DEPLOYED');
    } finally {
      again.child.kill('SIGTERM');
      await again.exited;
    }
  }, 60_000);
});
