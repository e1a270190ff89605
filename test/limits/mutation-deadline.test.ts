import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrg, type OrgFixture } from '../support/fixtures.js';
import { startTestGateway, type TestGateway } from '../support/harness.js';

// OPERATION_TIMEOUT_MS: a request abandoned at its deadline makes no further writes. Its root
// mutation fields run one after another, and each checks the deadline before it starts
// (mutationDeadlineMiddleware), on the copy of the context Apollo hands to resolvers.
let gw: TestGateway;
let org: OrgFixture;
beforeAll(async () => {
  gw = await startTestGateway({ OPERATION_TIMEOUT_MS: '1' });
  org = await createOrg(gw);
});
afterAll(async () => gw.close());

describe('a mutation past its deadline', () => {
  it('is OPERATION_TIMEOUT, and none of its mutation fields that had not started writes anything', async () => {
    const response = await gw.gql(
      org.owner.token,
      'mutation($o: ID!) { a: createEnvVar(organizationId: $o, input: { name: "LATE_A", value: "a" }) { id } b: createEnvVar(organizationId: $o, input: { name: "LATE_B", value: "b" }) { id } }',
      { o: String(org.organizationId) },
    );
    expect(response.status).toBe(504);
    // The abandoned execution goes on in the background: give it time to finish what it would.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const written = await gw.db.selectFrom('envVars').select('name').where('organizationId', '=', org.organizationId).execute();
    expect(written).toEqual([]);
  });
});
