import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectAllowed } from '../support/expect.js';
import { createOrg, type OrgFixture } from '../support/fixtures.js';
import { startTestGateway, type TestGateway } from '../support/harness.js';

// Issue 15 §1: MAX_RESPONSE_BYTES bounds what one response carries in its large fields, counted
// while the response is built: over it, the request ends 400 RESPONSE_TOO_LARGE naming the limit,
// and the large fields left are not even resolved.
const MAX = 4096;
let gw: TestGateway;
let org: OrgFixture;
beforeAll(async () => {
  gw = await startTestGateway({ MAX_RESPONSE_BYTES: String(MAX) });
  org = await createOrg(gw);
  for (let i = 0; i < 6; i++) {
    await expectAllowed(
      gw,
      org.owner.token,
      'mutation($o: ID!, $name: String!, $value: String!) { createEnvVar(organizationId: $o, input: { name: $name, value: $value }) { id } }',
      {
        o: String(org.organizationId),
        name: `LARGE_${i}`,
        value: 'x'.repeat(1000),
      },
    );
  }
});
afterAll(async () => gw.close());

const LIST = 'query($o: ID!, $first: Int!) { organization(id: $o) { envVars(first: $first) { edges { node { name value } } } } }';

async function post(
  first: number,
): Promise<{ status: number; body: { data?: unknown; errors?: Array<{ message: string; extensions: Record<string, unknown> }> } }> {
  const response = await fetch(gw.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${org.owner.token}` },
    body: JSON.stringify({ query: LIST, variables: { o: String(org.organizationId), first } }),
  });
  return { status: response.status, body: (await response.json()) as never };
}

describe('the response budget (MAX_RESPONSE_BYTES)', () => {
  it('a response within it is answered whole', async () => {
    const { status, body } = await post(3);
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
  });

  it('a response over it is 400 RESPONSE_TOO_LARGE naming the limit, with no data', async () => {
    const { status, body } = await post(6);
    expect(status).toBe(400);
    expect(body.data).toBeUndefined();
    expect(body.errors).toHaveLength(1);
    expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'RESPONSE_TOO_LARGE', limit: { name: 'responseBytes', max: MAX } });
    expect(body.errors?.[0]?.message).toContain('MAX_RESPONSE_BYTES');
    expect(body.errors?.[0]?.message).toContain('first:');
  });

  it('reports the bytes counted when it gave up: over the budget, and no more than the values that were resolving', async () => {
    const { body } = await post(6);
    const limit = body.errors?.[0]?.extensions.limit;
    expect(limit).toMatchObject({ actual: expect.any(Number) });
    const actual = Number((limit as { actual: number }).actual);
    expect(actual).toBeGreaterThan(MAX);
    // Six values of 1,000 bytes resolve side by side in one list; none is counted twice.
    expect(actual).toBeLessThanOrEqual(6000);
  });
});
