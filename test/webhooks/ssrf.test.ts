import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendWebhook } from '../../src/modules/webhooks/send-webhook.js';
import { checkTarget, nonPublicRange, TargetRefused, type Lookup } from '../../src/modules/webhooks/webhook-target.js';
import { connectRepo, deployNew } from '../support/automation-fixtures.js';
import { expectDenied } from '../support/expect.js';
import { createOrg, type OrgFixture } from '../support/fixtures.js';
import { startTestGateway, type TestGateway } from '../support/harness.js';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js';
import { CREATE_WEBHOOK, createWebhook, readDelivery, readWebhook, WEBHOOK_TEST_ENV, webhookWorker } from '../support/webhook-fixtures.js';

// Issue 11 §6, server-side request forgery: webhook targets in private, loopback, link-local,
// unique-local and unspecified ranges, non-HTTPS targets (outside development) and hosts that do
// not resolve are refused at registration with BAD_USER_INPUT saying why, and checked again at
// every attempt, which connects to the address it checked.
let strict: TestGateway;
let lenient: TestGateway;
let strictOrg: OrgFixture;
let lenientOrg: OrgFixture;
let receiver: WebhookReceiver;

beforeAll(async () => {
  receiver = await startWebhookReceiver();
  strict = await startTestGateway();
  strictOrg = await createOrg(strict);
  lenient = await startTestGateway(WEBHOOK_TEST_ENV);
  lenientOrg = await createOrg(lenient);
});
afterAll(async () => {
  await strict.close();
  await lenient.close();
  await receiver.close();
});

describe('address ranges', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.0.9', 'loopback'],
    ['10.20.30.40', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['100.64.0.1', 'shared'],
    ['169.254.169.254', 'link-local'],
    ['0.0.0.0', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['::1', 'loopback'],
    ['::', 'unspecified'],
    ['fe80::1', 'link-local'],
    ['fd12:3456::1', 'unique-local'],
    ['fc00::1', 'unique-local'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:a9fe:a9fe', 'link-local'],
    ['64:ff9b::a00:1', 'private'],
  ])('%s is not public (%s)', (address, kind) => {
    expect(nonPublicRange(address)).toContain(kind);
  });

  it.each(['93.184.215.14', '8.8.8.8', '172.32.0.1', '2606:4700:4700::1111', '::ffff:8.8.8.8'])('%s is public', (address) => {
    expect(nonPublicRange(address)).toBeNull();
  });
});

describe('registration without the operator settings', () => {
  const create = (url: string) =>
    expectDenied(
      strict,
      strictOrg.owner.token,
      CREATE_WEBHOOK,
      { o: String(strictOrg.organizationId), input: { url, events: ['DEPLOYMENT_FINISHED'] } },
      'BAD_USER_INPUT',
    );

  it.each([
    ['plain http', 'http://93.184.215.14/hooks', /must use https: plain http is refused outside development .*WEBHOOK_ALLOW_HTTP/],
    ['another scheme', 'ftp://93.184.215.14/hooks', /must use https, not ftp/],
    ['not a URL', 'hooks.example.com/x', /must be an absolute URL/],
    ['credentials in the URL', 'https://partner:secret@93.184.215.14/hooks', /must not carry a user name or password/],
    ['loopback', 'https://127.0.0.1/hooks', /resolves to 127\.0\.0\.1, a loopback address.*WEBHOOK_ALLOW_PRIVATE_TARGETS/],
    ['loopback by name', 'https://localhost:8443/hooks', /"localhost" resolves to .*, a loopback address/],
    ['private', 'https://10.0.0.8/hooks', /a private address/],
    ['private (192.168)', 'https://192.168.0.10/hooks', /a private address/],
    ['link-local: the cloud metadata service', 'https://169.254.169.254/latest/meta-data/', /169\.254\.169\.254, a link-local address/],
    ['IPv6 loopback', 'https://[::1]/hooks', /a loopback address/],
    ['IPv6 unique-local', 'https://[fd00::1]/hooks', /a unique-local \(private\) address/],
    ['IPv6 link-local', 'https://[fe80::1]/hooks', /a link-local address/],
    ['unspecified', 'https://0.0.0.0/hooks', /unspecified/],
    ['IPv6 unspecified', 'https://[::]/hooks', /the unspecified address/],
    ['IPv4-mapped loopback', 'https://[::ffff:127.0.0.1]/hooks', /a loopback address/],
    ['unresolvable', 'https://no-such-host.invalid/hooks', /host "no-such-host\.invalid" does not resolve \(ENOTFOUND|EAI_AGAIN/],
  ])('%s is BAD_USER_INPUT saying why', async (_what, url, why) => {
    const denied = await create(url);
    expect(denied.errors[0]?.extensions?.field).toBe('url');
    expect(denied.errors[0]?.message).toMatch(/^url /);
    expect(denied.errors[0]?.message).toMatch(why);
    expect(await strict.db.selectFrom('webhooks').select('id').execute()).toEqual([]);
  });

  it('a public https address is accepted', async () => {
    const hook = await createWebhook(strict, strictOrg.owner.token, strictOrg.organizationId, 'https://93.184.215.14/hooks', ['DEPLOYMENT_FINISHED']);
    expect(hook.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
  });
});

describe('the operator settings', () => {
  it('WEBHOOK_ALLOW_PRIVATE_TARGETS and WEBHOOK_ALLOW_HTTP let a local receiver be registered', async () => {
    await createWebhook(lenient, lenientOrg.owner.token, lenientOrg.organizationId, receiver.url(), ['DEPLOYMENT_FINISHED']);
  });

  it('still refuse a host that does not resolve', async () => {
    const denied = await expectDenied(
      lenient,
      lenientOrg.owner.token,
      CREATE_WEBHOOK,
      {
        o: String(lenientOrg.organizationId),
        input: { url: 'http://no-such-host.invalid/hooks', events: ['DEPLOYMENT_FINISHED'] },
      },
      'BAD_USER_INPUT',
    );
    expect(denied.errors[0]?.message).toContain('does not resolve');
  });
});

describe('at delivery time', () => {
  it('the target is checked again: a replica without the setting does not send to a loopback address', async () => {
    const org = await createOrg(lenient);
    const hook = await createWebhook(lenient, org.owner.token, org.organizationId, receiver.url().replace('127.0.0.1', 'localhost'), ['DEPLOYMENT_FINISHED']);
    // A deploy without a cluster ends FAILED at once: a deployment.finished event.
    await deployNew(lenient, org.owner.token, org.organizationId, await connectRepo(lenient, org.owner.token, org.organizationId));
    const before = receiver.received.length;
    expect(await webhookWorker(lenient, { allowPrivateTargets: false }).runOnce()).toEqual({ claimed: 1, delivered: 0, failed: 1 });
    expect(receiver.received).toHaveLength(before);
    const [delivery] = (await readWebhook(lenient, org.owner.token, org.organizationId, hook.id)).deliveries.edges;
    const attempts = (await readDelivery(lenient, org.owner.token, org.organizationId, delivery?.node.id ?? '')).attempts;
    expect(attempts).toHaveLength(1);
    expect(attempts[0]).toMatchObject({ succeeded: false, statusCode: null });
    expect(attempts[0]?.error).toMatch(/^not sent: the URL host "localhost" resolves to .*, a loopback address/);
  });

  it('the request goes to the address that was checked, resolved once (no second lookup to rebind)', async () => {
    let lookups = 0;
    const lookup: Lookup = async () => {
      lookups++;
      return [{ address: '127.0.0.1', family: 4 }];
    };
    const port = new URL(receiver.url()).port;
    const before = receiver.received.length;
    const outcome = await sendWebhook(
      { id: 'msg-1', url: `http://hooks.partner.test:${port}/pinned`, secret: `whsec_${Buffer.alloc(32, 1).toString('base64')}`, body: '{}' },
      { allowPrivateTargets: true, allowHttp: true },
      2000,
      lookup,
    );
    expect(outcome).toMatchObject({ succeeded: true, statusCode: 204 });
    expect(lookups).toBe(1);
    expect(receiver.received[before]).toMatchObject({
      path: '/pinned',
      headers: expect.objectContaining({ host: `hooks.partner.test:${port}`, 'webhook-id': 'msg-1' }),
    });
  });

  it('a name with a public and a private address is refused, whichever comes first', async () => {
    const lookup: Lookup = async () => [
      { address: '93.184.215.14', family: 4 },
      { address: '10.1.1.1', family: 4 },
    ];
    await expect(checkTarget('https://hooks.partner.test/x', { allowPrivateTargets: false, allowHttp: false }, lookup)).rejects.toThrow(TargetRefused);
    await expect(checkTarget('https://hooks.partner.test/x', { allowPrivateTargets: false, allowHttp: false }, lookup)).rejects.toThrow(
      /10\.1\.1\.1, a private address/,
    );
  });
});
