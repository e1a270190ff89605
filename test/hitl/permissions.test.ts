import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMember, addServiceAccount, createRole, type Actor } from '../support/fixtures.js';
import { expectAllowed, expectDenied, expectHidden } from '../support/expect.js';
import { ANSWER, answerOk, deployAutomation, OF_AUTOMATION, PENDING, raiseOk, RETRY, startHitlEnv, type HitlEnv } from '../support/hitl-fixtures.js';

// SPEC §3 human_in_the_loop on requests: a private automation's whitelist decides. Without the
// permission the caller may still view the automation, so it is FORBIDDEN; off the whitelist the
// request does not exist for it (NOT_FOUND) and is absent from every list and total.

let h: HitlEnv;
let privateAutomation: { automationId: string; token: string };
let orgWide: { automationId: string; token: string };
const who = {} as Record<'runOnly' | 'hitl' | 'outsider' | 'noAccess' | 'partner', Actor>;

interface PendingList {
  organization: { pendingHitlRequests: { totalCount: number; edges: Array<{ node: { id: string } }> } };
}
const pendingIds = async (actor: Actor) => {
  const list = (await expectAllowed<PendingList>(h.gw, actor.token, PENDING, { org: String(h.org.organizationId) })).organization.pendingHitlRequests;
  expect(list.totalCount).toBe(list.edges.length);
  return list.edges.map((e) => e.node.id);
};

beforeAll(async () => {
  h = await startHitlEnv();
  const org = h.org.organizationId;
  const read = await createRole(h.gw, org, { crews_dashboards: 'READ' });
  who.runOnly = await addMember(h.gw, org, read);
  who.hitl = await addMember(h.gw, org, read);
  who.outsider = await addMember(h.gw, org, read);
  who.noAccess = await addMember(h.gw, org, await createRole(h.gw, org, { crews_dashboards: 'NO_ACCESS' }));
  who.partner = await addServiceAccount(h.gw, org, read);
  privateAutomation = await deployAutomation(h, { visibility: 'PRIVATE' });
  orgWide = await deployAutomation(h);
  await expectAllowed(
    h.gw,
    h.org.owner.token,
    `mutation($id: ID!, $access: [AutomationAccessInput!]!) {
    setAutomationAccess(id: $id, visibility: PRIVATE, access: $access) { id } }`,
    {
      id: privateAutomation.automationId,
      access: [
        { principalType: 'USER', principalId: who.runOnly.userId, permissions: ['RUN'] },
        { principalType: 'USER', principalId: who.hitl.userId, permissions: ['HUMAN_IN_THE_LOOP'] },
        { principalType: 'SERVICE_ACCOUNT', principalId: who.partner.serviceAccountId, permissions: ['TRACES', 'HUMAN_IN_THE_LOOP'] },
        { principalType: 'USER', principalId: who.noAccess.userId },
      ],
    },
  );
});
afterAll(async () => h.close());

describe('human_in_the_loop decides who sees and answers requests (SPEC §3)', () => {
  it('whitelisted with only RUN: the answer is FORBIDDEN, naming the permission, and nothing is recorded or forwarded', async () => {
    const id = await raiseOk(h.gw, privateAutomation.token);
    const before = h.standIn.received.length;
    const denied = await expectDenied(h.gw, who.runOnly.token, ANSWER, { id, answer: { approved: true } }, 'FORBIDDEN');
    expect(denied.errors[0]?.message).toMatch(/Mutation\.answerHitlRequest needs the human_in_the_loop permission/);
    expect((await h.gw.db.selectFrom('hitlRequests').select('status').where('id', '=', id).executeTakeFirstOrThrow()).status).toBe('PENDING');
    expect(h.standIn.received.length).toBe(before);
  });

  it('whitelisted with HUMAN_IN_THE_LOOP: the same answer is allowed', async () => {
    const id = await raiseOk(h.gw, privateAutomation.token);
    expect((await answerOk(h.gw, who.hitl.token, id, { approved: true })).forwardStatus).toBe('DELIVERED');
  });

  it('a service account granted human_in_the_loop answers, and is recorded as the one who answered', async () => {
    const id = await raiseOk(h.gw, privateAutomation.token);
    const answered = await answerOk(h.gw, who.partner.token, id, { approved: false });
    expect(answered.answeredBy).toMatchObject({ principalType: 'SERVICE_ACCOUNT', principalId: who.partner.serviceAccountId });
    const forwarded = h.standIn.received.find((r) => r.path.endsWith(`/hitl/${id}`));
    expect(forwarded?.body).toMatchObject({ answeredBy: { principalType: 'SERVICE_ACCOUNT', id: who.partner.serviceAccountId } });
  });

  it('off the whitelist: the request is NOT_FOUND, with the message a nonexistent id gets', async () => {
    const id = await raiseOk(h.gw, privateAutomation.token);
    const denied = await expectDenied(h.gw, who.outsider.token, ANSWER, { id, answer: { approved: true } }, 'NOT_FOUND');
    const random = await expectDenied(h.gw, who.outsider.token, ANSWER, { id: '00000000-0000-4000-8000-000000000000', answer: {} }, 'NOT_FOUND');
    expect(denied.errors[0]?.message.replace(id, '<id>')).toBe(random.errors[0]?.message.replace('00000000-0000-4000-8000-000000000000', '<id>'));
    await expectDenied(h.gw, who.outsider.token, RETRY, { id }, 'NOT_FOUND');
  });

  it('lists and totals hold only requests the caller may answer', async () => {
    const secret = await raiseOk(h.gw, privateAutomation.token);
    const open = await raiseOk(h.gw, orgWide.token);
    for (const actor of [who.outsider, who.runOnly]) {
      const ids = await pendingIds(actor);
      expect(ids).toContain(open);
      expect(ids).not.toContain(secret);
    }
    expect(await pendingIds(who.hitl)).toEqual(expect.arrayContaining([secret, open]));
    expect(await pendingIds(who.partner)).toEqual(expect.arrayContaining([secret, open]));
    expect(await pendingIds(h.org.owner)).toEqual(expect.arrayContaining([secret, open]));
  });

  it('Automation.hitlRequests: FORBIDDEN with only RUN, NOT_FOUND off the whitelist, allowed with human_in_the_loop', async () => {
    const variables = { org: String(h.org.organizationId), id: privateAutomation.automationId, status: null };
    const runOnly = await expectDenied(h.gw, who.runOnly.token, OF_AUTOMATION, variables, 'FORBIDDEN');
    expect(runOnly.errors[0]?.message).toMatch(/Automation\.hitlRequests needs the human_in_the_loop permission/);
    await expectDenied(h.gw, who.outsider.token, OF_AUTOMATION, variables, 'NOT_FOUND');
    await expectAllowed(h.gw, who.hitl.token, OF_AUTOMATION, variables);
  });

  it('crews_dashboards NO_ACCESS: answering and listing are not in the schema, even when whitelisted, and nothing is recorded or forwarded', async () => {
    const id = await raiseOk(h.gw, privateAutomation.token);
    const before = h.standIn.received.length;
    await expectHidden(h.gw, who.noAccess.token, ANSWER, { id, answer: {} }, 'answerHitlRequest');
    expect((await h.gw.db.selectFrom('hitlRequests').select('status').where('id', '=', id).executeTakeFirstOrThrow()).status).toBe('PENDING');
    expect(h.standIn.received.length).toBe(before);
    await expectHidden(h.gw, who.noAccess.token, PENDING, { org: String(h.org.organizationId) }, 'pendingHitlRequests');
  });
});
