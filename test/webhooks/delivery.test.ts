import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deployNew } from '../support/automation-fixtures.js';
import { ingestTokenOf, otlpRequest, otlpSpan, postTraces, run } from '../support/execution-fixtures.js';
import { isolatedOrg, startClusterEnv, type ClusterEnv } from '../support/k8s-setup.js';
import { startRuntimeStub, type RuntimeStub } from '../support/runtime-stub.js';
import { startWebhookReceiver, type Received, type WebhookReceiver } from '../support/webhook-receiver.js';
import { createWebhook, passWhenDue, readDelivery, readWebhook, WEBHOOK_TEST_ENV, webhookWorker, type CreatedHook } from '../support/webhook-fixtures.js';

// Issue 11 §6 "Done when": a local receiver gets `execution.finished` for a finished run and
// verifies its signature with the Standard Webhooks algorithm; a receiver that fails twice gets
// the event on the third attempt, and a restart in between loses nothing. The run finishes through
// the real path: deployed against the Kubernetes stand-in, kicked off, and completed by a root
// span with gatehouse.execution.status = SUCCEEDED over /v1/traces.
let receiver: WebhookReceiver;
let runtime: RuntimeStub;
let env: ClusterEnv;
let org: Awaited<ReturnType<typeof isolatedOrg>>;
let automationId: string;
let ingestToken: string;
let hook: CreatedHook;

/** Runs the automation and reports its root span; answers the execution's id. */
async function finishedRun(status: 'SUCCEEDED' | 'FAILED' = 'SUCCEEDED'): Promise<string> {
  const execution = await run(env.gw, org.owner.token, automationId);
  expect(execution.status).toBe('RUNNING');
  const root = otlpSpan({ executionId: execution.id, name: 'crew.kickoff', attributes: { 'gatehouse.execution.status': status } });
  const answer = await postTraces(env.gw, ingestToken, otlpRequest([root]));
  expect(answer.status).toBe(200);
  return execution.id;
}

/** The Standard Webhooks check, by the specification's own library, independent of the signer's code. */
function verify(secret: string, request: Received): { type: string; timestamp: string; data: Record<string, unknown> } {
  return new Webhook(secret).verify(request.body, request.headers) as { type: string; timestamp: string; data: Record<string, unknown> };
}

beforeAll(async () => {
  receiver = await startWebhookReceiver();
  runtime = await startRuntimeStub();
  env = await startClusterEnv('automatic', {
    RUNNER_URL_TEMPLATE: runtime.urlTemplate,
    ...WEBHOOK_TEST_ENV,
    WEBHOOK_RETRY_BASE_MS: '1000',
    WEBHOOK_RETRY_MAX_DELAY_MS: '1000',
  });
  org = await isolatedOrg(env.gw);
  automationId = (await deployNew(env.gw, org.owner.token, org.organizationId, org.repo)).automationId;
  ingestToken = ingestTokenOf(env, org.namespace, automationId);
  hook = await createWebhook(env.gw, org.owner.token, org.organizationId, receiver.url('/partner/hooks'), ['EXECUTION_FINISHED']);
});
afterAll(async () => {
  await env.close();
  await runtime.close();
  await receiver.close();
});

describe('execution.finished', () => {
  it('reaches a local receiver, signed as Standard Webhooks says', async () => {
    const executionId = await finishedRun();
    const worker = webhookWorker(env.gw);
    expect(await worker.runOnce()).toEqual({ claimed: 1, delivered: 1, failed: 0 });
    const [request] = await receiver.waitFor(1);
    if (!request) throw new Error('nothing received');
    expect(request.path).toBe('/partner/hooks');
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
    const event = verify(hook.secret, request);
    expect(event.type).toBe('execution.finished');
    expect(event.data).toMatchObject({ organizationId: String(org.organizationId), automationId, executionId, status: 'SUCCEEDED', error: null });
    // webhook-id is the delivery's id, readable through the API with the attempt.
    const view = await readWebhook(env.gw, org.owner.token, org.organizationId, hook.id);
    expect(view.deliveries.edges.map((e) => e.node.id)).toEqual([request.headers['webhook-id']]);
    const delivery = await readDelivery(env.gw, org.owner.token, org.organizationId, request.headers['webhook-id'] ?? '');
    expect(delivery).toMatchObject({ event: 'EXECUTION_FINISHED', status: 'DELIVERED', attemptCount: 1, lastStatusCode: 204, nextAttemptAt: null });
    expect(delivery.payload).toEqual(JSON.parse(request.body));
    expect(delivery.attempts.map((a) => [a.attemptNumber, a.statusCode, a.succeeded, a.error])).toEqual([[1, 204, true, null]]);
  });

  it('does not verify with another secret, or with the body changed', async () => {
    const [request] = receiver.received;
    if (!request) throw new Error('nothing received');
    expect(() => verify(`whsec_${Buffer.alloc(32, 7).toString('base64')}`, request)).toThrow(WebhookVerificationError);
    expect(() => verify(hook.secret, { ...request, body: request.body.replace('SUCCEEDED', 'FAILED') })).toThrow(WebhookVerificationError);
  });

  it('is sent once per run: the runtime re-sending its root span queues nothing', async () => {
    const before = receiver.received.length;
    const executionId = await finishedRun('FAILED');
    const again = otlpSpan({ executionId, name: 'crew.kickoff', attributes: { 'gatehouse.execution.status': 'FAILED' } });
    expect((await postTraces(env.gw, ingestToken, otlpRequest([again]))).status).toBe(200);
    expect((await webhookWorker(env.gw).runOnce()).claimed).toBe(1);
    expect((await webhookWorker(env.gw).runOnce()).claimed).toBe(0);
    expect(receiver.received).toHaveLength(before + 1);
    expect(verify(hook.secret, receiver.received[before] as Received).data).toMatchObject({ executionId, status: 'FAILED' });
  });
});

describe('a receiver that fails twice', () => {
  it('gets the event on the third attempt, with a worker restart in between, every attempt recorded', async () => {
    const start = receiver.received.length;
    receiver.answerNext({ status: 500, body: 'database is down' }, { status: 503 });
    const executionId = await finishedRun();

    const first = webhookWorker(env.gw);
    expect(await first.runOnce()).toEqual({ claimed: 1, delivered: 0, failed: 1 });
    // Backoff: not due again at once (WEBHOOK_RETRY_BASE_MS 1000: each wait is 500 to 1000 ms).
    expect((await first.runOnce()).claimed).toBe(0);
    expect(await passWhenDue(first)).toEqual({ claimed: 1, delivered: 0, failed: 1 });
    // The replica stops after the failed attempt; a new one on the same database picks it up.
    await first.stop();
    expect(await first.runOnce()).toEqual({ claimed: 0, delivered: 0, failed: 0 });

    const second = webhookWorker(env.gw);
    expect(await passWhenDue(second)).toEqual({ claimed: 1, delivered: 1, failed: 0 });
    await second.stop();

    const attempts = receiver.received.slice(start);
    expect(attempts.map((r) => r.status)).toEqual([500, 503, 204]);
    // One message: the same webhook-id every time, each attempt signed anew and valid.
    expect(new Set(attempts.map((r) => r.headers['webhook-id'])).size).toBe(1);
    for (const attempt of attempts) expect(verify(hook.secret, attempt).data).toMatchObject({ executionId });

    const delivery = await readDelivery(env.gw, org.owner.token, org.organizationId, attempts[0]?.headers['webhook-id'] ?? '');
    expect(delivery).toMatchObject({ status: 'DELIVERED', attemptCount: 3, lastStatusCode: 204, lastError: null });
    const recorded = delivery.attempts;
    expect(recorded.map((a) => [a.attemptNumber, a.statusCode, a.succeeded])).toEqual([
      [1, 500, false],
      [2, 503, false],
      [3, 204, true],
    ]);
    expect(recorded[0]?.error).toMatch(/answered 500/);
    for (const attempt of recorded) expect(attempt.durationMs).toBeGreaterThanOrEqual(0);
    // The retries waited their backoff (at least half the nominal 1000 ms).
    const times = recorded.map((a) => Date.parse(a.attemptedAt));
    expect((times[1] ?? 0) - (times[0] ?? 0)).toBeGreaterThanOrEqual(490);
    expect((times[2] ?? 0) - (times[1] ?? 0)).toBeGreaterThanOrEqual(490);
    expect(recorded[0]?.responseBody).toBe('database is down');
    // A success ends the endpoint's run of failures.
    expect((await readWebhook(env.gw, org.owner.token, org.organizationId, hook.id)).consecutiveFailures).toBe(0);
  });
});
