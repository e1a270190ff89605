import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openWebhookSecret } from '../../src/modules/webhooks/webhook-secrets.js';
import { SecretBox } from '../../src/crypto/secret-box.js';
import { expectAllowed, expectDenied, expectHidden } from '../support/expect.js';
import { addMember, addServiceAccount, createOrg, createRole, type OrgFixture } from '../support/fixtures.js';
import { startTestGateway, type TestGateway } from '../support/harness.js';
import { CREATE_WEBHOOK, createWebhook } from '../support/webhook-fixtures.js';

// Issue 11 §6, the API of endpoints: organization administrators (organization_settings: MANAGE)
// create, list and delete them; the secret is shown once and stored sealed; bad input is
// BAD_USER_INPUT naming the field; every mutation is audited. A public address literal needs no
// DNS, so this gateway runs without the operator settings.
let gw: TestGateway;
let org: OrgFixture;
let other: OrgFixture;
const URL = 'https://93.184.215.14/hooks';
const o = () => String(org.organizationId);

const LIST =
  'query($o: ID!) { organization(id: $o) { webhooks(first: 10) { totalCount edges { node { id url description events enabled createdAt registeredBy { principalType principalId displayName } scope { automationIds } } } } } }';

beforeAll(async () => {
  gw = await startTestGateway();
  org = await createOrg(gw);
  other = await createOrg(gw);
});
afterAll(async () => gw.close());

describe('creating an endpoint', () => {
  it('answers the secret once, in the Standard Webhooks form, and stores it sealed', async () => {
    const data = await expectAllowed<{ createWebhook: { secret: string; webhook: { id: string; url: string; events: string[]; enabled: boolean } } }>(
      gw,
      org.owner.token,
      CREATE_WEBHOOK,
      { o: o(), input: { url: URL, events: ['EXECUTION_FINISHED', 'DEPLOYMENT_FINISHED', 'EXECUTION_FINISHED'], description: 'partner CRM' } },
    );
    const { secret, webhook } = data.createWebhook;
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(webhook).toMatchObject({ url: URL, events: ['EXECUTION_FINISHED', 'DEPLOYMENT_FINISHED'], enabled: true });
    const row = await gw.db.selectFrom('webhooks').selectAll().where('id', '=', webhook.id).executeTakeFirstOrThrow();
    expect(row.secretCiphertext.toString('latin1')).not.toContain(secret.slice(6, 20));
    expect(openWebhookSecret(new SecretBox(gw.secretKey), row)).toBe(secret);
    // Bound to its row: the same ciphertext under another id does not open.
    expect(() => openWebhookSecret(new SecretBox(gw.secretKey), { ...row, id: '00000000-0000-4000-8000-000000000000' })).toThrow();
    // The audit entry records the endpoint, never the secret.
    const entry = await gw.db.selectFrom('auditLog').select(['action', 'after']).where('targetId', '=', webhook.id).executeTakeFirstOrThrow();
    expect(entry.action).toBe('webhook.create');
    expect(entry.after).toMatchObject({ url: URL, secret_ciphertext: '[redacted]' });
    expect(JSON.stringify(entry.after)).not.toContain(secret.slice(6));
  });

  it('lists it, with who registered it, and no secret', async () => {
    const data = await expectAllowed<{ organization: { webhooks: { totalCount: number; edges: Array<{ node: Record<string, unknown> }> } } }>(
      gw,
      org.owner.token,
      LIST,
      { o: o() },
    );
    expect(data.organization.webhooks.totalCount).toBe(1);
    expect(data.organization.webhooks.edges[0]?.node).toMatchObject({
      url: URL,
      description: 'partner CRM',
      registeredBy: { principalType: 'USER', principalId: org.owner.userId, displayName: 'Owner' },
      scope: null,
    });
  });

  it.each([
    ['no event', { url: URL, events: [] }, 'events', /events must name at least one/],
    [
      'a description over 500 characters',
      { url: URL, events: ['HITL_REQUESTED'], description: 'x'.repeat(501) },
      'description',
      /description must be at most 500/,
    ],
    ['a URL over 2048 characters', { url: `${URL}/${'a'.repeat(2048)}`, events: ['HITL_REQUESTED'] }, 'url', /url must be at most 2048 characters/],
    ['a URL with a fragment', { url: `${URL}#x`, events: ['HITL_REQUESTED'] }, 'url', /must not have a #fragment/],
  ])('%s is BAD_USER_INPUT naming the field', async (_what, input, field, message) => {
    const denied = await expectDenied(gw, org.owner.token, CREATE_WEBHOOK, { o: o(), input }, 'BAD_USER_INPUT');
    expect(denied.errors[0]?.extensions?.field).toBe(field);
    expect(denied.errors[0]?.message).toMatch(message);
  });

  it('an unknown event is refused by the schema', async () => {
    const response = await gw.gql(org.owner.token, CREATE_WEBHOOK, { o: o(), input: { url: URL, events: ['EVERYTHING'] } });
    expect(response.errors.map((e) => e.extensions?.code)).toContain('BAD_USER_INPUT');
    expect(response.errors[0]?.message).toContain('EVERYTHING');
  });
});

describe('who may manage endpoints', () => {
  it('a service account whose role has organization_settings: MANAGE, like a person', async () => {
    const integrator = await addServiceAccount(gw, org.organizationId, await createRole(gw, org.organizationId, { organization_settings: 'MANAGE' }));
    const hook = await createWebhook(gw, integrator.token, org.organizationId, URL, ['HITL_REQUESTED']);
    const list = await expectAllowed<{ organization: { webhooks: { totalCount: number } } }>(gw, integrator.token, LIST, { o: o() });
    expect(list.organization.webhooks.totalCount).toBe(2);
    await expectAllowed(gw, integrator.token, 'mutation($id: ID!) { deleteWebhook(id: $id) }', { id: hook.id });
  });

  it('not a Member (organization_settings: NO_ACCESS): the fields are not in its schema', async () => {
    const member = await addMember(gw, org.organizationId, org.memberRoleId);
    await expectHidden(gw, member.token, CREATE_WEBHOOK, { o: o(), input: { url: URL, events: ['HITL_REQUESTED'] } }, 'createWebhook');
    await expectHidden(gw, member.token, 'query($o: ID!) { organization(id: $o) { webhooks { totalCount } } }', { o: o() }, 'webhooks');
  });

  it('not in another organization: its endpoints are NOT_FOUND, as ids that do not exist', async () => {
    const theirs = await createWebhook(gw, other.owner.token, other.organizationId, URL, ['HITL_REQUESTED']);
    for (const id of [theirs.id, '00000000-0000-4000-8000-000000000000']) {
      const denied = await expectDenied(gw, org.owner.token, 'mutation($id: ID!) { deleteWebhook(id: $id) }', { id }, 'NOT_FOUND');
      expect(denied.errors[0]?.message).toBe(`Webhook "${id}" was not found.`);
      await expectDenied(gw, org.owner.token, 'mutation($id: ID!) { enableWebhook(id: $id) { id } }', { id }, 'NOT_FOUND');
    }
    // Nor through the Owner's own organization.
    await expectDenied(
      gw,
      org.owner.token,
      'query($o: ID!, $id: ID!) { organization(id: $o) { webhook(id: $id) { id } } }',
      { o: o(), id: theirs.id },
      'NOT_FOUND',
    );
    await expectDenied(gw, org.owner.token, CREATE_WEBHOOK, { o: String(other.organizationId), input: { url: URL, events: ['HITL_REQUESTED'] } }, 'NOT_FOUND');
  });
});

describe('deleting an endpoint', () => {
  it('removes it with its deliveries; a second delete is NOT_FOUND', async () => {
    const hook = await createWebhook(gw, org.owner.token, org.organizationId, URL, ['DEPLOYMENT_FINISHED']);
    await gw.db
      .insertInto('webhookDeliveries')
      .values({ webhookId: hook.id, organizationId: org.organizationId, eventType: 'deployment.finished', eventKey: 'k', automationId: null, payload: '{}' })
      .execute();
    const deleted = await expectAllowed<{ deleteWebhook: string }>(gw, org.owner.token, 'mutation($id: ID!) { deleteWebhook(id: $id) }', { id: hook.id });
    expect(deleted.deleteWebhook).toBe(hook.id);
    expect(await gw.db.selectFrom('webhookDeliveries').select('id').where('webhookId', '=', hook.id).execute()).toEqual([]);
    await expectDenied(gw, org.owner.token, 'mutation($id: ID!) { deleteWebhook(id: $id) }', { id: hook.id }, 'NOT_FOUND');
    const actions = await gw.db.selectFrom('auditLog').select('action').where('targetId', '=', hook.id).orderBy('createdAt').execute();
    expect(actions.map((a) => a.action)).toEqual(['webhook.create', 'webhook.delete']);
  });
});
