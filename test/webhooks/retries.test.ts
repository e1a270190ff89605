import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backoffDelayMs } from '../../src/modules/webhooks/deliveries.repository.js';
import { connectRepo, deployNew } from '../support/automation-fixtures.js';
import { expectAllowed, expectDenied } from '../support/expect.js';
import { createOrg, type OrgFixture } from '../support/fixtures.js';
import { startTestGateway, type TestGateway } from '../support/harness.js';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js';
import { createWebhook, passWhenDue, readDelivery, readWebhook, sleep, WEBHOOK_TEST_ENV, webhookWorker } from '../support/webhook-fixtures.js';

// Issue 11 §6: at least once, retried with exponential backoff for the retry window, an endpoint
// disabled after it keeps failing, re-enabled and replayed by mutations; a receiver that hangs or
// answers 500 delays nothing else. Events here are deployment.finished: without a cluster, a
// deploy is recorded and ends FAILED at once (README "Automations and Kubernetes").
let gw: TestGateway;
let org: OrgFixture;
let repo: string;
const receivers: WebhookReceiver[] = [];

async function receiver(): Promise<WebhookReceiver> {
  const started = await startWebhookReceiver();
  receivers.push(started);
  return started;
}

/** One deployment.finished event for every endpoint of the organization subscribed to it. */
const deployEvent = () => deployNew(gw, org.owner.token, org.organizationId, repo);

/** Each area starts in an organization of its own, so that earlier endpoints receive nothing of it. */
async function freshOrganization(): Promise<void> {
  org = await createOrg(gw);
  repo = await connectRepo(gw, org.owner.token, org.organizationId);
}

beforeAll(async () => {
  gw = await startTestGateway(WEBHOOK_TEST_ENV);
});
afterAll(async () => {
  await gw.close();
  for (const r of receivers) await r.close();
});

describe('backoff', () => {
  it('doubles from the base up to the maximum, with up to half taken off at random', () => {
    const policy = { baseMs: 30_000, maxDelayMs: 3_600_000 };
    expect([1, 2, 3, 4, 8, 20].map((n) => backoffDelayMs(n, policy, () => 1))).toEqual([30_000, 60_000, 120_000, 240_000, 3_600_000, 3_600_000]);
    expect([1, 2, 3].map((n) => backoffDelayMs(n, policy, () => 0))).toEqual([15_000, 30_000, 60_000]);
  });
});

describe('one slow or failing receiver', () => {
  it('delays nothing else: deliveries to a healthy endpoint go out while another hangs', async () => {
    await freshOrganization();
    const hanging = await receiver();
    const healthy = await receiver();
    hanging.answerOtherwise({ hang: true });
    const slow = await createWebhook(gw, org.owner.token, org.organizationId, hanging.url(), ['DEPLOYMENT_FINISHED']);
    const fine = await createWebhook(gw, org.owner.token, org.organizationId, healthy.url(), ['DEPLOYMENT_FINISHED']);
    for (let i = 0; i < 3; i++) await deployEvent();
    const worker = webhookWorker(gw, { workerIntervalMs: 25, requestTimeoutMs: 4_000, concurrency: 4, perEndpointConcurrency: 1 }).start();
    try {
      const started = Date.now();
      await healthy.waitFor(3, 3_500);
      // All three arrived while the hanging receiver's first attempt was still waiting for its timeout.
      expect(Date.now() - started).toBeLessThan(3_500);
      // It held one slot (WEBHOOK_ENDPOINT_CONCURRENCY), not all of them.
      expect(hanging.received).toHaveLength(1);
    } finally {
      await worker.stop();
    }
    // The hanging attempt ended with the timeout, recorded as such; stop() waited for it.
    const view = await readWebhook(gw, org.owner.token, org.organizationId, slow.id);
    const attempted = view.deliveries.edges.map((e) => e.node).filter((d) => d.attemptCount > 0);
    expect(attempted).toHaveLength(1);
    expect(attempted[0]?.lastError).toMatch(/no answer within 4000 ms \(WEBHOOK_TIMEOUT_MS\)/);
    const attempts = (await readDelivery(gw, org.owner.token, org.organizationId, attempted[0]?.id ?? '')).attempts;
    expect(attempts[0]?.durationMs).toBeGreaterThanOrEqual(3_900);
    expect((await readWebhook(gw, org.owner.token, org.organizationId, fine.id)).deliveries.edges.map((e) => e.node.status)).toEqual([
      'DELIVERED',
      'DELIVERED',
      'DELIVERED',
    ]);
    // Its deliveries would keep the next passes busy (a worker claims across every organization).
    await expectAllowed(gw, org.owner.token, 'mutation($id: ID!) { deleteWebhook(id: $id) }', { id: slow.id });
  });
});

describe('an endpoint that keeps failing', () => {
  const rule = { disableAfterFailures: 3, disableAfterHours: 0 };
  let failing: WebhookReceiver;
  let hook: { id: string };
  let deliveryId: string;

  it('is disabled after WEBHOOK_DISABLE_AFTER_FAILURES failed attempts in a row (over WEBHOOK_DISABLE_AFTER_HOURS)', async () => {
    await freshOrganization();
    failing = await receiver();
    failing.answerOtherwise({ status: 500 });
    hook = await createWebhook(gw, org.owner.token, org.organizationId, failing.url(), ['DEPLOYMENT_FINISHED']);
    await deployEvent();
    const worker = webhookWorker(gw, rule);
    for (let attempt = 1; attempt <= 3; attempt++) expect((await passWhenDue(worker)).failed).toBe(1);
    const view = await readWebhook(gw, org.owner.token, org.organizationId, hook.id);
    expect(view).toMatchObject({ enabled: false, consecutiveFailures: 3 });
    expect(view.disabledReason).toMatch(/Disabled after 3 or more failed attempts in a row .*enableWebhook/);
    deliveryId = view.deliveries.edges[0]?.node.id ?? '';
    // Its pending delivery waits; events meanwhile are not queued for it.
    expect(view.deliveries.edges.map((e) => e.node.status)).toEqual(['PENDING']);
    await deployEvent();
    await sleep(120);
    expect(await worker.runOnce()).toEqual({ claimed: 0, delivered: 0, failed: 0 });
    expect((await readWebhook(gw, org.owner.token, org.organizationId, hook.id)).deliveries.totalCount).toBe(1);
    expect(failing.received).toHaveLength(3);
  });

  it('cannot be replayed while disabled (CONFLICT)', async () => {
    const denied = await expectDenied(gw, org.owner.token, 'mutation($id: ID!) { replayWebhookDelivery(id: $id) { id } }', { id: deliveryId }, 'CONFLICT');
    expect(denied.errors[0]?.message).toMatch(/is disabled .*enableWebhook first/);
  });

  it('enableWebhook turns it on again: the pending delivery goes out', async () => {
    const enabled = await expectAllowed<{ enableWebhook: { enabled: boolean; consecutiveFailures: number; disabledAt: string | null } }>(
      gw,
      org.owner.token,
      'mutation($id: ID!) { enableWebhook(id: $id) { enabled consecutiveFailures disabledAt } }',
      { id: hook.id },
    );
    expect(enabled.enableWebhook).toEqual({ enabled: true, consecutiveFailures: 0, disabledAt: null });
    failing.answerOtherwise({ status: 200 });
    expect(await passWhenDue(webhookWorker(gw, rule))).toEqual({ claimed: 1, delivered: 1, failed: 0 });
    expect((await readDelivery(gw, org.owner.token, org.organizationId, deliveryId)).status).toBe('DELIVERED');
  });

  it('replayWebhookDelivery sends a delivered event again, with the same webhook-id', async () => {
    const replayed = await expectAllowed<{ replayWebhookDelivery: { id: string; status: string; nextAttemptAt: string | null } }>(
      gw,
      org.owner.token,
      'mutation($id: ID!) { replayWebhookDelivery(id: $id) { id status nextAttemptAt } }',
      { id: deliveryId },
    );
    expect(replayed.replayWebhookDelivery).toMatchObject({ id: deliveryId, status: 'PENDING' });
    expect(await webhookWorker(gw, rule).runOnce()).toEqual({ claimed: 1, delivered: 1, failed: 0 });
    expect(failing.received.slice(-2).map((r) => r.headers['webhook-id'])).toEqual([deliveryId, deliveryId]);
    expect((await readDelivery(gw, org.owner.token, org.organizationId, deliveryId)).attempts.map((a) => a.statusCode)).toEqual([500, 500, 500, 200, 200]);
  });
});

describe('the retry window', () => {
  it('ends in FAILED; replayFailedWebhookDeliveries sends the failed ones since a time again', async () => {
    await freshOrganization();
    const flaky = await receiver();
    flaky.answerOtherwise({ status: 502 });
    const hook = await createWebhook(gw, org.owner.token, org.organizationId, flaky.url(), ['DEPLOYMENT_FINISHED']);
    const since = new Date(Date.now() - 1000).toISOString();
    await deployEvent();
    await deployEvent();
    // A window of 0 s: the first failed attempt is the last.
    expect(await webhookWorker(gw, { retryWindowSeconds: 0 }).runOnce()).toEqual({ claimed: 2, delivered: 0, failed: 2 });
    const view = await readWebhook(gw, org.owner.token, org.organizationId, hook.id);
    expect(view.deliveries.edges.map((e) => [e.node.status, e.node.nextAttemptAt])).toEqual([
      ['FAILED', null],
      ['FAILED', null],
    ]);
    expect(await webhookWorker(gw).runOnce()).toEqual({ claimed: 0, delivered: 0, failed: 0 });

    // Written before `since`: not replayed.
    const none = await expectAllowed<{ replayFailedWebhookDeliveries: number }>(
      gw,
      org.owner.token,
      'mutation($id: ID!, $since: DateTime!) { replayFailedWebhookDeliveries(webhookId: $id, since: $since) }',
      { id: hook.id, since: new Date(Date.now() + 60_000).toISOString() },
    );
    expect(none.replayFailedWebhookDeliveries).toBe(0);
    flaky.answerOtherwise({ status: 202 });
    const replayed = await expectAllowed<{ replayFailedWebhookDeliveries: number }>(
      gw,
      org.owner.token,
      'mutation($id: ID!, $since: DateTime!) { replayFailedWebhookDeliveries(webhookId: $id, since: $since) }',
      { id: hook.id, since },
    );
    expect(replayed.replayFailedWebhookDeliveries).toBe(2);
    expect(await webhookWorker(gw).runOnce()).toEqual({ claimed: 2, delivered: 2, failed: 0 });
    const after = await readWebhook(gw, org.owner.token, org.organizationId, hook.id);
    expect(after.deliveries.edges.map((e) => [e.node.status, e.node.attemptCount])).toEqual([
      ['DELIVERED', 2],
      ['DELIVERED', 2],
    ]);
  });
});

describe('a crashed replica', () => {
  it('loses its claim when the lease expires: another replica sends the delivery (at least once)', async () => {
    await freshOrganization();
    const target = await receiver();
    const hook = await createWebhook(gw, org.owner.token, org.organizationId, target.url(), ['DEPLOYMENT_FINISHED']);
    await deployEvent();
    // A replica claimed it and died before recording anything: its lease is still live.
    const [delivery] = (await readWebhook(gw, org.owner.token, org.organizationId, hook.id)).deliveries.edges;
    await gw.db
      .updateTable('webhookDeliveries')
      .set({ lockedUntil: new Date(Date.now() + 60_000), leaseToken: '00000000-0000-4000-8000-000000000001' })
      .where('id', '=', delivery?.node.id ?? '')
      .execute();
    expect((await webhookWorker(gw).runOnce()).claimed).toBe(0);
    // The lease ran out.
    await gw.db
      .updateTable('webhookDeliveries')
      .set({ lockedUntil: new Date(Date.now() - 1) })
      .where('id', '=', delivery?.node.id ?? '')
      .execute();
    expect(await webhookWorker(gw).runOnce()).toEqual({ claimed: 1, delivered: 1, failed: 0 });
    expect(target.received).toHaveLength(1);
  });
});

describe('what a receiver answers', () => {
  it('is recorded whatever it holds (a NUL PostgreSQL cannot store becomes U+FFFD), at most 1 KiB of it', async () => {
    await freshOrganization();
    const odd = await receiver();
    odd.answerNext({ status: 500, body: `bad\u0000answer ${'x'.repeat(5000)}` });
    const hook = await createWebhook(gw, org.owner.token, org.organizationId, odd.url(), ['DEPLOYMENT_FINISHED']);
    await deployEvent();
    expect(await webhookWorker(gw).runOnce()).toEqual({ claimed: 1, delivered: 0, failed: 1 });
    const [delivery] = (await readWebhook(gw, org.owner.token, org.organizationId, hook.id)).deliveries.edges;
    const [attempt] = (await readDelivery(gw, org.owner.token, org.organizationId, delivery?.node.id ?? '')).attempts;
    expect(attempt?.responseBody?.startsWith('bad\uFFFDanswer xxx')).toBe(true);
    expect(attempt?.responseBody).toHaveLength(1024);
    await expectAllowed(gw, org.owner.token, 'mutation($id: ID!) { deleteWebhook(id: $id) }', { id: hook.id });
  });
});
