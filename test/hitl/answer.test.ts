import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMember, createRole } from '../support/fixtures.js';
import { expectAllowed, expectDenied } from '../support/expect.js';
import {
  ANSWER,
  answerOk,
  deployAutomation,
  OF_AUTOMATION,
  PENDING,
  raiseOk,
  startHitlEnv,
  type HitlEnv,
  type HitlRequestResult,
} from '../support/hitl-fixtures.js';
import type { Actor } from '../support/fixtures.js';

// Issue 4 "Human in the loop": principals with human_in_the_loop see pending requests and answer
// them; the gateway forwards the answer to the automation and records who answered what. A
// request answers once: a second answer is CONFLICT.

let h: HitlEnv;
let automation: { automationId: string; token: string };
let operator: Actor;

beforeAll(async () => {
  h = await startHitlEnv();
  automation = await deployAutomation(h);
  // crews_dashboards: READ on an ORGANIZATION automation includes human_in_the_loop (SPEC §3 rule 4).
  operator = await addMember(h.gw, h.org.organizationId, await createRole(h.gw, h.org.organizationId, { crews_dashboards: 'READ' }));
});
afterAll(async () => h.close());

const org = () => String(h.org.organizationId);

describe('answering a human-in-the-loop request', () => {
  it('a principal with human_in_the_loop sees the pending request, answers it, and the automation receives the answer', async () => {
    const id = await raiseOk(h.gw, automation.token, { question: 'Refund order 1001?', context: { order: 1001 } });
    const pending = await expectAllowed<{
      organization: { pendingHitlRequests: { totalCount: number; edges: Array<{ node: { id: string; question: string } }> } };
    }>(h.gw, operator.token, PENDING, { org: org() });
    expect(pending.organization.pendingHitlRequests.edges.map((e) => e.node)).toContainEqual({ id, question: 'Refund order 1001?' });

    const answered = await answerOk(h.gw, operator.token, id, { approved: true, note: 'ok' });
    expect(answered).toMatchObject({
      id,
      status: 'ANSWERED',
      answer: { approved: true, note: 'ok' },
      answeredBy: { principalType: 'USER', principalId: operator.userId, displayName: operator.email?.split('@')[0] },
      forwardStatus: 'DELIVERED',
      forwardError: null,
      forwardAttempts: 1,
      automation: { id: automation.automationId },
    });
    expect(Math.abs(Date.parse(answered.answeredAt ?? '') - Date.now())).toBeLessThan(60_000);

    const forwarded = h.standIn.received.filter((r) => r.path.endsWith(`/hitl/${id}`));
    expect(forwarded).toEqual([
      {
        path: `/${h.org.namespace}/${automation.automationId}/hitl/${id}`,
        body: {
          requestId: id,
          answer: { approved: true, note: 'ok' },
          answeredBy: { principalType: 'USER', id: operator.userId, name: operator.email?.split('@')[0] },
        },
      },
    ]);

    const row = await h.gw.db.selectFrom('hitlRequests').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'ANSWERED', answeredByUserId: operator.userId, answeredByServiceAccountId: null, forwardStatus: 'DELIVERED' });
    const after = await expectAllowed<{ organization: { pendingHitlRequests: { edges: Array<{ node: { id: string } }> } } }>(h.gw, operator.token, PENDING, {
      org: org(),
    });
    expect(after.organization.pendingHitlRequests.edges.map((e) => e.node.id)).not.toContain(id);
  });

  it('a second answer is CONFLICT and changes nothing', async () => {
    const id = await raiseOk(h.gw, automation.token);
    await answerOk(h.gw, h.org.owner.token, id, { choice: 'first' });
    const before = h.standIn.received.length;
    const second = await expectDenied(h.gw, operator.token, ANSWER, { id, answer: { choice: 'second' } }, 'CONFLICT');
    expect(second.errors[0]?.message).toMatch(/already answered.*answers once/);
    const row = await h.gw.db.selectFrom('hitlRequests').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ answer: { choice: 'first' }, answeredByUserId: h.org.owner.userId });
    expect(h.standIn.received.length).toBe(before);
  });

  it('of two concurrent answers exactly one succeeds and only it is forwarded', async () => {
    const id = await raiseOk(h.gw, automation.token);
    const results = await Promise.all(
      ['a', 'b', 'c', 'd'].map((choice, i) =>
        h.gw.gql<{ answerHitlRequest: HitlRequestResult }>(i % 2 ? operator.token : h.org.owner.token, ANSWER, { id, answer: { choice } }),
      ),
    );
    const winners = results.filter((r) => r.errors.length === 0);
    expect(winners).toHaveLength(1);
    expect(results.filter((r) => r.errors[0]?.extensions?.code === 'CONFLICT')).toHaveLength(3);
    const forwarded = h.standIn.received.filter((r) => r.path.endsWith(`/hitl/${id}`));
    expect(forwarded.map((r) => r.body)).toEqual([expect.objectContaining({ answer: winners[0]?.data?.answerHitlRequest.answer })]);
  });

  it('an expired request is CONFLICT saying it expired, and lists as EXPIRED', async () => {
    const id = await raiseOk(h.gw, automation.token, { question: 'Too late?', expiresInSeconds: 60 });
    // Move the expiry into the past, as time would.
    await sql`update hitl_requests set expires_at = now() - interval '1 second' where id = ${id}`.execute(h.gw.db);
    const denied = await expectDenied(h.gw, operator.token, ANSWER, { id, answer: { late: true } }, 'CONFLICT');
    expect(denied.errors[0]?.message).toMatch(/expired/);
    const data = await expectAllowed<{ organization: { automation: { hitlRequests: { edges: Array<{ node: HitlRequestResult }> } } } }>(
      h.gw,
      operator.token,
      OF_AUTOMATION,
      { org: org(), id: automation.automationId, status: 'EXPIRED' },
    );
    expect(data.organization.automation.hitlRequests.edges.map((e) => e.node.id)).toContain(id);
    const pending = await expectAllowed<{ organization: { pendingHitlRequests: { edges: Array<{ node: { id: string } }> } } }>(h.gw, operator.token, PENDING, {
      org: org(),
    });
    expect(pending.organization.pendingHitlRequests.edges.map((e) => e.node.id)).not.toContain(id);
    expect((await h.gw.db.selectFrom('hitlRequests').select('status').where('id', '=', id).executeTakeFirstOrThrow()).status).toBe('EXPIRED');
  });

  it('an answer larger than 64 KiB is BAD_USER_INPUT and the request stays open', async () => {
    const id = await raiseOk(h.gw, automation.token);
    await expectDenied(h.gw, operator.token, ANSWER, { id, answer: { blob: 'x'.repeat(70_000) } }, 'BAD_USER_INPUT');
    expect((await h.gw.db.selectFrom('hitlRequests').select('status').where('id', '=', id).executeTakeFirstOrThrow()).status).toBe('PENDING');
  });

  it('filters by status, in the order requests were raised', async () => {
    const fresh = await deployAutomation(h);
    const ids = [await raiseOk(h.gw, fresh.token), await raiseOk(h.gw, fresh.token), await raiseOk(h.gw, fresh.token)];
    await answerOk(h.gw, operator.token, ids[1] ?? '', { ok: true });
    const of = async (status: string | null) =>
      (
        await expectAllowed<{ organization: { automation: { hitlRequests: { totalCount: number; edges: Array<{ node: { id: string } }> } } } }>(
          h.gw,
          operator.token,
          OF_AUTOMATION,
          { org: org(), id: fresh.automationId, status },
        )
      ).organization.automation.hitlRequests;
    expect((await of(null)).edges.map((e) => e.node.id)).toEqual(ids);
    expect(await of('PENDING')).toEqual({
      totalCount: 2,
      edges: [{ node: expect.objectContaining({ id: ids[0] }) }, { node: expect.objectContaining({ id: ids[2] }) }],
    });
    expect((await of('ANSWERED')).edges.map((e) => e.node.id)).toEqual([ids[1]]);
  });
});
