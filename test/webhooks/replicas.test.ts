import { Webhook } from 'standardwebhooks';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createServerStore, gqlAt, killServerProcesses, runCli, startServerProcess, type ServerProcess, type ServerStore } from '../support/server-process.js';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js';
import { CREATE_WEBHOOK } from '../support/webhook-fixtures.js';

// Issue 11 §6: "sent by a worker that survives restarts and runs on every replica without double
// sending". The BUILT server (`npm run build` first) in child processes, as operators run it, each
// with its worker on (src/main.ts). A restart between a failed attempt and the next loses nothing
// (PostgreSQL and PGlite); two replicas on one PostgreSQL database send each delivery once.
let receiver: WebhookReceiver;
let store: ServerStore | undefined;

const PROCESS_ENV = {
  KUBE_CONFIG_SOURCE: 'off',
  WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true',
  WEBHOOK_ALLOW_HTTP: 'true',
  WEBHOOK_WORKER_INTERVAL_MS: '50',
};

async function must<T>(url: string, token: string, query: string, variables: Record<string, unknown>): Promise<T> {
  const response = await gqlAt<T>(url, token, query, variables);
  expect(response.errors, response.raw).toEqual([]);
  if (response.data === null) throw new Error(response.raw);
  return response.data;
}

async function organization(env: Record<string, string>, name: string): Promise<{ organizationId: number; token: string }> {
  return runCli<{ organizationId: number; token: string }>(env, ['org', 'create', '--name', name, '--owner-email', `${name.toLowerCase()}@hooks.example.com`]);
}

/** A deploy without a cluster ends FAILED at once: one deployment.finished event. */
async function deployEvent(url: string, token: string, organizationId: number, repoId: string, name: string): Promise<void> {
  await must(url, token, 'mutation($o: ID!, $input: DeployAutomationInput!) { deployAutomation(organizationId: $o, input: $input) { id } }', {
    o: String(organizationId),
    input: { name, source: { gitRepoId: repoId, ref: 'main' } },
  });
}

async function connectRepo(url: string, token: string, organizationId: number): Promise<string> {
  const data = await must<{ connectGitRepo: { id: string } }>(
    url,
    token,
    'mutation($o: ID!) { connectGitRepo(organizationId: $o, input: { fullName: "hooks/repo" }) { id } }',
    {
      o: String(organizationId),
    },
  );
  return data.connectGitRepo.id;
}

async function stop(server: ServerProcess): Promise<void> {
  server.child.kill('SIGTERM');
  expect(await server.exited).toEqual({ code: 0, signal: null });
}

beforeAll(async () => {
  receiver = await startWebhookReceiver();
});
afterEach(async () => {
  killServerProcesses();
  await store?.close();
  store = undefined;
});
afterAll(async () => {
  killServerProcesses();
  await receiver.close();
});

describe('a gateway restart between two attempts', () => {
  it('loses nothing: the delivery that failed in one process arrives from the next', async () => {
    store = await createServerStore();
    // The first retry waits 2 to 4 s: time enough to stop the first process before it comes.
    const env = { ...store.env, ...PROCESS_ENV, WEBHOOK_RETRY_BASE_MS: '4000', WEBHOOK_RETRY_MAX_DELAY_MS: '4000' };
    const owner = await organization(env, 'Restart');
    const first = await startServerProcess(env);
    const created = await must<{ createWebhook: { secret: string; webhook: { id: string } } }>(first.url, owner.token, CREATE_WEBHOOK, {
      o: String(owner.organizationId),
      input: { url: receiver.url('/restart'), events: ['DEPLOYMENT_FINISHED'] },
    });
    const start = receiver.received.length;
    receiver.answerNext({ status: 500 });
    await deployEvent(first.url, owner.token, owner.organizationId, await connectRepo(first.url, owner.token, owner.organizationId), 'restarted');
    await receiver.waitFor(start + 1);

    first.child.kill('SIGTERM');
    expect(await first.exited).toEqual({ code: 0, signal: null });
    const stoppedAt = Date.now();
    expect(receiver.received).toHaveLength(start + 1);

    const second = await startServerProcess(env);
    const [failed, delivered] = (await receiver.waitFor(start + 2)).slice(start);
    // From the second process: the first had exited before it arrived.
    expect(delivered?.at).toBeGreaterThan(stoppedAt);
    expect([failed?.status, delivered?.status]).toEqual([500, 204]);
    expect(delivered?.headers['webhook-id']).toBe(failed?.headers['webhook-id']);
    expect(new Webhook(created.createWebhook.secret).verify(delivered?.body ?? '', delivered?.headers ?? {})).toMatchObject({ type: 'deployment.finished' });

    // The receiver answers before the sender records the answer: read until it is recorded.
    type Read = { organization: { webhookDelivery: { status: string; attempts: { edges: Array<{ node: { statusCode: number } }> } } } };
    const readDelivery = () =>
      must<Read>(
        second.url,
        owner.token,
        'query($o: ID!, $id: ID!) { organization(id: $o) { webhookDelivery(id: $id) { status attempts { edges { node { statusCode } } } } } }',
        { o: String(owner.organizationId), id: delivered?.headers['webhook-id'] },
      );
    let read = await readDelivery();
    for (let tries = 0; read.organization.webhookDelivery.status === 'PENDING' && tries < 100; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      read = await readDelivery();
    }
    expect(read.organization.webhookDelivery.status).toBe('DELIVERED');
    expect(read.organization.webhookDelivery.attempts.edges.map((e) => e.node.statusCode)).toEqual([500, 204]);
    second.child.kill('SIGTERM');
    expect(await second.exited).toEqual({ code: 0, signal: null });
  }, 90_000);
});

describe.skipIf(!process.env.TEST_DATABASE_URL)('two replicas on one PostgreSQL database', () => {
  it("send every delivery once: FOR UPDATE SKIP LOCKED and the lease keep them off each other's claims", async () => {
    store = await createServerStore();
    const env = { ...store.env, ...PROCESS_ENV, WEBHOOK_WORKER_INTERVAL_MS: '10' };
    const owner = await organization(env, 'Replicas');
    const [a, b] = await Promise.all([startServerProcess(env), startServerProcess(env)]);
    if (!a || !b) throw new Error('two servers');
    await must(a.url, owner.token, CREATE_WEBHOOK, {
      o: String(owner.organizationId),
      input: { url: receiver.url('/replicas'), events: ['DEPLOYMENT_FINISHED'] },
    });
    const repo = await connectRepo(a.url, owner.token, owner.organizationId);
    const start = receiver.received.length;
    // A slow receiver keeps claims open while both workers poll every 10 ms.
    receiver.answerOtherwise({ status: 200, delayMs: 100 });
    const EVENTS = 16;
    await Promise.all(
      Array.from({ length: EVENTS }, (_, i) => deployEvent(i % 2 === 0 ? a.url : b.url, owner.token, owner.organizationId, repo, `replica-${i}`)),
    );
    await receiver.waitFor(start + EVENTS, 30_000);
    // Time for a second copy to show up, if either worker were to send one.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const ids = receiver.received.slice(start).map((r) => r.headers['webhook-id']);
    expect(ids).toHaveLength(EVENTS);
    expect(new Set(ids).size).toBe(EVENTS);
    receiver.answerOtherwise({ status: 204 });
    await Promise.all([stop(a), stop(b)]);
  }, 90_000);
});
