import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateIngestToken, generateToken } from '../../src/crypto/opaque-token.js';
import { expectAllowed } from '../support/expect.js';
import { deployAutomation, OF_AUTOMATION, raise, startHitlEnv, type HitlEnv, type HitlRequestResult } from '../support/hitl-fixtures.js';

// Issue 4 "Human in the loop": a deployed automation raises a request through the ingest API,
// authenticated by the per-deployment token its Secret carries. Every refusal stores nothing.

let h: HitlEnv;
let automation: { automationId: string; token: string };

const stored = async () =>
  Number(
    (
      await h.gw.db
        .selectFrom('hitlRequests')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );

beforeAll(async () => {
  h = await startHitlEnv();
  automation = await deployAutomation(h);
});
afterAll(async () => h.close());

describe('raising a human-in-the-loop request', () => {
  it('an automation raises a request with its ingest token; it is filed under that automation and deployment', async () => {
    const response = await raise(h.gw, automation.token, {
      question: 'Send the quote to ACME?',
      context: { amount: 1200, currency: 'EUR' },
      executionId: 'exec-42',
      expiresInSeconds: 3600,
    });
    expect(response.status).toBe(201);
    expect(typeof response.body.id).toBe('string');
    const expiresAt = Date.parse(String(response.body.expiresAt));
    expect(Math.abs(expiresAt - Date.now() - 3600_000)).toBeLessThan(60_000);

    const row = await h.gw.db.selectFrom('hitlRequests').selectAll().where('id', '=', String(response.body.id)).executeTakeFirstOrThrow();
    const deployment = await h.gw.db
      .selectFrom('automationDeployments')
      .select('id')
      .where('automationId', '=', automation.automationId)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({
      organizationId: h.org.organizationId,
      automationId: automation.automationId,
      deploymentId: deployment.id,
      status: 'PENDING',
      answer: null,
    });

    const data = await expectAllowed<{ organization: { automation: { hitlRequests: { edges: Array<{ node: HitlRequestResult }> } } } }>(
      h.gw,
      h.org.owner.token,
      OF_AUTOMATION,
      { org: String(h.org.organizationId), id: automation.automationId },
    );
    expect(data.organization.automation.hitlRequests.edges.map((e) => e.node)).toContainEqual(
      expect.objectContaining({
        id: response.body.id,
        question: 'Send the quote to ACME?',
        context: { amount: 1200, currency: 'EUR' },
        executionId: 'exec-42',
        status: 'PENDING',
        forwardStatus: null,
      }),
    );
  });

  it('the expiry defaults to a day', async () => {
    const response = await raise(h.gw, automation.token, { question: 'Default expiry?' });
    expect(response.status).toBe(201);
    expect(Math.abs(Date.parse(String(response.body.expiresAt)) - Date.now() - 86_400_000)).toBeLessThan(60_000);
  });

  it.each([
    ['no token', undefined],
    ['a well-formed token no deployment has', generateIngestToken().token],
    ['an API token instead of an ingest token', generateToken().token],
    ['garbage', 'not-a-token'],
  ])('%s is 401 and stores nothing', async (_name, token) => {
    const before = await stored();
    const response = await raise(h.gw, token, { question: 'Anyone?' });
    expect(response.status).toBe(401);
    expect(response.body.error).toBe('UNAUTHENTICATED');
    expect(await stored()).toBe(before);
  });

  it('the token of a deleted automation is 401', async () => {
    const doomed = await deployAutomation(h);
    await expectAllowed(h.gw, h.org.owner.token, 'mutation($id: ID!) { deleteAutomation(id: $id) { id } }', { id: doomed.automationId });
    const response = await raise(h.gw, doomed.token, { question: 'Still there?' });
    expect(response.status).toBe(401);
  });

  it.each([
    ['question', {}],
    ['question', { question: '' }],
    ['question', { question: '   ' }],
    ['question', { question: 42 }],
    ['question', { question: 'x'.repeat(4001) }],
    ['question', { question: 'nul \u0000 inside' }],
    ['context', { question: 'q', context: [1, 2] }],
    ['context', { question: 'q', context: 'text' }],
    ['context', { question: 'q', context: null }],
    ['context', { question: 'q', context: { nested: ['ok', 'nul \u0000 inside'] } }],
    ['context', `{"question":"q","context":{"deep":${'['.repeat(100_000)}${']'.repeat(100_000)}}}`],
    ['executionId', { question: 'q', executionId: 7 }],
    ['executionId', { question: 'q', executionId: 'has space' }],
    ['expiresInSeconds', { question: 'q', expiresInSeconds: 59 }],
    ['expiresInSeconds', { question: 'q', expiresInSeconds: 604_801 }],
    ['expiresInSeconds', { question: 'q', expiresInSeconds: 90.5 }],
    ['expiresInSeconds', { question: 'q', expiresInSeconds: '3600' }],
    ['callbackPath', { question: 'q', callbackPath: 'relative/path' }],
    ['callbackPath', { question: 'q', callbackPath: '//evil.example/steal' }],
    ['callbackPath', { question: 'q', callbackPath: '/with space' }],
    ['expiresIn', { question: 'q', expiresIn: 60 }],
    ['body', [{ question: 'q' }]],
  ])('an invalid %s is 400 naming the field, and stores nothing', async (field, body) => {
    const before = await stored();
    const response = await raise(h.gw, automation.token, body);
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ error: 'BAD_USER_INPUT', field });
    expect(String(response.body.message)).toContain(field);
    expect(await stored()).toBe(before);
  });

  it('a question of exactly 4000 characters (code points) is accepted', async () => {
    expect((await raise(h.gw, automation.token, { question: '€'.repeat(4000) })).status).toBe(201);
  });

  it('a body that is not JSON is 400; another media type is 415; over 256 KiB is 413; GET is 405', async () => {
    const before = await stored();
    expect((await raise(h.gw, automation.token, '{"question": ')).status).toBe(400);
    expect((await raise(h.gw, automation.token, { question: 'q' }, 'text/plain')).status).toBe(415);
    const big = await raise(h.gw, automation.token, { question: 'q', context: { blob: 'x'.repeat(256 * 1024) } });
    expect(big).toMatchObject({ status: 413, body: { error: 'PAYLOAD_TOO_LARGE' } });
    const get = await fetch(new URL('/v1/hitl-requests', h.gw.url), { headers: { authorization: `Bearer ${automation.token}` } });
    expect(get.status).toBe(405);
    expect(await stored()).toBe(before);
  });
});
