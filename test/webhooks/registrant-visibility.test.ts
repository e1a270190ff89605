import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectRepo, deployNew } from '../support/automation-fixtures.js';
import { run } from '../support/execution-fixtures.js';
import { expectAllowed, expectDenied } from '../support/expect.js';
import { addMember, addServiceAccount, createOrg, createRole, type Actor, type OrgFixture } from '../support/fixtures.js';
import { startTestGateway, type TestGateway } from '../support/harness.js';
import { CREATE_WEBHOOK, createWebhook, WEBHOOK_TEST_ENV } from '../support/webhook-fixtures.js';

// Issue 11 §6 "A webhook fires only for what its registrant may see" (SPEC §6): decided when the
// event happens, by SPEC §3's decision procedure for the registrant, intersected with the scope of
// the API token that registered it. Events: runs that fail at once (no deployed version: without a
// cluster no deploy reaches one) fire execution.finished; redeploys fire deployment.finished.
let gw: TestGateway;
let org: OrgFixture;
let admin: Actor;
let partner: Actor;
let scopedToken: string;
const automations = { shared: '', other: '', confined: '' };
const hooks = { owner: '', admin: '', scoped: '' };

const o = () => String(org.organizationId);
const ALL_EVENTS = ['EXECUTION_FINISHED', 'HITL_REQUESTED', 'DEPLOYMENT_FINISHED'];

/** Each automation finishes a run and a deploy: one event of each type. */
async function eventsOnEveryAutomation(): Promise<void> {
  for (const id of Object.values(automations)) {
    await run(gw, org.owner.token, id);
    await expectAllowed(gw, org.owner.token, 'mutation($id: ID!) { redeployAutomation(id: $id) { id } }', { id });
  }
}

/** What each endpoint got: `event automation` pairs, sorted. */
async function received(webhookId: string): Promise<string[]> {
  const rows = await gw.db.selectFrom('webhookDeliveries').select(['eventType', 'automationId']).where('webhookId', '=', webhookId).execute();
  const name = (id: string | null) => Object.entries(automations).find(([, value]) => value === id)?.[0] ?? String(id);
  return rows.map((row) => `${row.eventType} ${name(row.automationId)}`).sort();
}

const both = (...names: string[]) => names.flatMap((n) => [`deployment.finished ${n}`, `execution.finished ${n}`]).sort();

beforeAll(async () => {
  gw = await startTestGateway(WEBHOOK_TEST_ENV);
  org = await createOrg(gw);
  const repo = await connectRepo(gw, org.owner.token, org.organizationId);
  automations.shared = (await deployNew(gw, org.owner.token, org.organizationId, repo)).automationId;
  automations.other = (await deployNew(gw, org.owner.token, org.organizationId, repo)).automationId;
  automations.confined = (await deployNew(gw, org.owner.token, org.organizationId, repo, { visibility: 'PRIVATE' })).automationId;
  // An administrator of the organization who is not on the private automation's whitelist.
  admin = await addMember(
    gw,
    org.organizationId,
    await createRole(gw, org.organizationId, { crews_dashboards: 'READ', organization_settings: 'MANAGE' }, 'Integrations admin'),
  );
  // A partner (crews_dashboards READ) with a token scoped to TRACES on the shared and the private one.
  partner = await addServiceAccount(gw, org.organizationId, await createRole(gw, org.organizationId, { crews_dashboards: 'READ' }, 'Partner'));
  const created = await expectAllowed<{ createApiToken: { secret: string } }>(
    gw,
    org.owner.token,
    'mutation($o: ID!, $input: CreateApiTokenInput!) { createApiToken(organizationId: $o, input: $input) { secret } }',
    {
      o: o(),
      input: {
        name: 'partner',
        serviceAccountId: partner.serviceAccountId,
        scope: { automationIds: [automations.shared, automations.confined], permissions: ['TRACES'] },
      },
    },
  );
  scopedToken = created.createApiToken.secret;

  hooks.owner = (await createWebhook(gw, org.owner.token, org.organizationId, 'http://127.0.0.1:9/owner', ALL_EVENTS)).id;
  hooks.admin = (await createWebhook(gw, admin.token, org.organizationId, 'http://127.0.0.1:9/admin', ALL_EVENTS)).id;
  hooks.scoped = (await createWebhook(gw, scopedToken, org.organizationId, 'http://127.0.0.1:9/partner', ['EXECUTION_FINISHED', 'DEPLOYMENT_FINISHED'])).id;
  await eventsOnEveryAutomation();
});
afterAll(async () => gw.close());

describe('what each registrant may see is what its endpoint gets', () => {
  it('the Owner: every automation', async () => {
    expect(await received(hooks.owner)).toEqual(both('confined', 'other', 'shared'));
  });

  it("an administrator off the private automation's whitelist: nothing of it", async () => {
    expect(await received(hooks.admin)).toEqual(both('other', 'shared'));
  });

  it('a scoped token: only automations of its scope that its principal may see', async () => {
    // `other` is outside the scope; `confined` is in it, but the partner is not on its whitelist.
    expect(await received(hooks.scoped)).toEqual(both('shared'));
  });

  it("is decided when the event happens: whitelisted now, the administrator gets the private automation's next events", async () => {
    await expectAllowed(
      gw,
      org.owner.token,
      'mutation($id: ID!, $u: ID!) { setAutomationAccess(id: $id, visibility: PRIVATE, access: [{ principalType: USER, principalId: $u, permissions: [TRACES] }]) { id } }',
      {
        id: automations.confined,
        u: admin.userId,
      },
    );
    await run(gw, org.owner.token, automations.confined);
    expect(await received(hooks.admin)).toEqual([...both('other', 'shared'), 'execution.finished confined'].sort());
    // Its grant has traces, not view-only: deployment.finished (view) reaches it too.
    await expectAllowed(gw, org.owner.token, 'mutation($id: ID!) { redeployAutomation(id: $id) { id } }', { id: automations.confined });
    expect((await received(hooks.admin)).filter((e) => e.endsWith('confined'))).toEqual(['deployment.finished confined', 'execution.finished confined']);
  });
});

describe('a scoped token registering', () => {
  it('is refused an event its scope could never receive, naming the field', async () => {
    const denied = await expectDenied(
      gw,
      scopedToken,
      CREATE_WEBHOOK,
      { o: o(), input: { url: 'http://127.0.0.1:9/x', events: ['HITL_REQUESTED'] } },
      'BAD_USER_INPUT',
    );
    expect(denied.errors[0]?.extensions?.field).toBe('events');
    expect(denied.errors[0]?.message).toMatch(/HITL_REQUESTED needs HUMAN_IN_THE_LOOP in the API token's scope/);
  });

  it('stores the registrant and the scope with the endpoint', async () => {
    const data = await expectAllowed<{ organization: { webhook: { registeredBy: unknown; scope: unknown } } }>(
      gw,
      scopedToken,
      'query($o: ID!, $id: ID!) { organization(id: $o) { webhook(id: $id) { registeredBy { principalType principalId } scope { automationIds permissions } } } }',
      { o: o(), id: hooks.scoped },
    );
    expect(data.organization.webhook).toEqual({
      registeredBy: { principalType: 'SERVICE_ACCOUNT', principalId: partner.serviceAccountId },
      scope: { automationIds: [automations.shared, automations.confined], permissions: ['TRACES'] },
    });
  });

  it('sees and manages its own endpoints only: the others are NOT_FOUND', async () => {
    const list = await expectAllowed<{ organization: { webhooks: { totalCount: number; edges: Array<{ node: { id: string } }> } } }>(
      gw,
      scopedToken,
      'query($o: ID!) { organization(id: $o) { webhooks { totalCount edges { node { id } } } } }',
      { o: o() },
    );
    expect(list.organization.webhooks).toEqual({ totalCount: 1, edges: [{ node: { id: hooks.scoped } }] });
    await expectDenied(gw, scopedToken, 'mutation($id: ID!) { deleteWebhook(id: $id) }', { id: hooks.owner }, 'NOT_FOUND');
    await expectDenied(
      gw,
      scopedToken,
      'query($o: ID!, $id: ID!) { organization(id: $o) { webhook(id: $id) { id } } }',
      { o: o(), id: hooks.admin },
      'NOT_FOUND',
    );
    // The administrators see all three.
    const all = await expectAllowed<{ organization: { webhooks: { totalCount: number } } }>(
      gw,
      admin.token,
      'query($o: ID!) { organization(id: $o) { webhooks { totalCount } } }',
      { o: o() },
    );
    expect(all.organization.webhooks.totalCount).toBe(3);
  });
});
