import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMember, createRole, type Actor } from '../support/fixtures.js';
import { expectAllowed, expectDenied } from '../support/expect.js';
import { answerOk, deployAutomation, raiseOk, RETRY, startHitlEnv, type HitlEnv, type HitlRequestResult } from '../support/hitl-fixtures.js';

// Issue 4: the gateway forwards the answer to the automation. A failed forward never loses the
// answer: it stays recorded, forwardStatus says FAILED with the reason, and a retry delivers it.

let h: HitlEnv;
let automation: { automationId: string; token: string };
let runOnly: Actor;

const retry = async (id: string) => (await expectAllowed<{ retryHitlForward: HitlRequestResult }>(h.gw, h.org.owner.token, RETRY, { id })).retryHitlForward;

beforeAll(async () => {
  h = await startHitlEnv();
  automation = await deployAutomation(h, { visibility: 'PRIVATE' });
  runOnly = await addMember(h.gw, h.org.organizationId, await createRole(h.gw, h.org.organizationId, { crews_dashboards: 'READ' }));
  await expectAllowed(
    h.gw,
    h.org.owner.token,
    `mutation($id: ID!, $u: ID!) {
    setAutomationAccess(id: $id, visibility: PRIVATE, access: [{ principalType: USER, principalId: $u, permissions: [RUN] }]) { id } }`,
    { id: automation.automationId, u: runOnly.userId },
  );
});
afterAll(async () => h.close());

describe('forwarding the answer to the automation', () => {
  it('a refused forward keeps the answer, shows FAILED with the reason, and a retry delivers it', async () => {
    const id = await raiseOk(h.gw, automation.token);
    h.standIn.respond(503);
    const failed = await answerOk(h.gw, h.org.owner.token, id, { approved: true });
    expect(failed).toMatchObject({ status: 'ANSWERED', answer: { approved: true }, forwardStatus: 'FAILED', forwardAttempts: 1 });
    expect(failed.forwardError).toMatch(/answered HTTP 503 at http:\/\/127\.0\.0\.1:\d+\/.*\/hitl\/.*retryHitlForward/);

    const delivered = await retry(id);
    expect(delivered).toMatchObject({ status: 'ANSWERED', answer: { approved: true }, forwardStatus: 'DELIVERED', forwardError: null, forwardAttempts: 2 });
    const bodies = h.standIn.received.filter((r) => r.path.endsWith(`/hitl/${id}`)).map((r) => r.body);
    // The retry sends the same answer and answerer, so the automation can deduplicate by requestId.
    expect(bodies).toHaveLength(2);
    expect(bodies[1]).toEqual(bodies[0]);
  });

  it('an automation that does not answer in time is FAILED saying so', async () => {
    const id = await raiseOk(h.gw, automation.token);
    h.standIn.respond('hang');
    const failed = await answerOk(h.gw, h.org.owner.token, id, { approved: true });
    expect(failed.forwardStatus).toBe('FAILED');
    expect(failed.forwardError).toMatch(/did not answer within 1000 ms/);
    expect((await retry(id)).forwardStatus).toBe('DELIVERED');
  });

  it('a connection the automation drops is FAILED saying it could not be reached', async () => {
    const id = await raiseOk(h.gw, automation.token);
    h.standIn.respond('reset');
    const failed = await answerOk(h.gw, h.org.owner.token, id, { approved: true });
    expect(failed.forwardStatus).toBe('FAILED');
    expect(failed.forwardError).toMatch(/Could not reach the automation at http:\/\/127\.0\.0\.1:\d+\/\S+ \(\w+\): is it deployed and running\?/);
    expect((await retry(id)).forwardStatus).toBe('DELIVERED');
  });

  it('a retry needs human_in_the_loop too', async () => {
    const id = await raiseOk(h.gw, automation.token);
    h.standIn.respond(500);
    await answerOk(h.gw, h.org.owner.token, id, { approved: true });
    const denied = await expectDenied(h.gw, runOnly.token, RETRY, { id }, 'FORBIDDEN');
    expect(denied.errors[0]?.message).toMatch(/Mutation\.retryHitlForward needs the human_in_the_loop permission/);
  });

  it('nothing to retry is CONFLICT: an unanswered request, or an answer already delivered', async () => {
    const id = await raiseOk(h.gw, automation.token);
    expect((await expectDenied(h.gw, h.org.owner.token, RETRY, { id }, 'CONFLICT')).errors[0]?.message).toMatch(/no answer to forward/);
    await answerOk(h.gw, h.org.owner.token, id, { approved: true });
    expect((await expectDenied(h.gw, h.org.owner.token, RETRY, { id }, 'CONFLICT')).errors[0]?.message).toMatch(/already delivered/);
  });

  it('two concurrent retries deliver once', async () => {
    const id = await raiseOk(h.gw, automation.token);
    h.standIn.respond(502);
    await answerOk(h.gw, h.org.owner.token, id, { approved: true });
    const results = await Promise.all([1, 2, 3].map(() => h.gw.gql<{ retryHitlForward: HitlRequestResult }>(h.org.owner.token, RETRY, { id })));
    expect(results.filter((r) => r.errors.length === 0)).toHaveLength(1);
    expect(h.standIn.received.filter((r) => r.path.endsWith(`/hitl/${id}`))).toHaveLength(2);
  });
});
