import { GraphQLError } from 'graphql';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFormatError } from '../../src/graphql/format-error.js';
import { createOrg, type OrgFixture } from '../support/fixtures.js';
import { startTestGateway, type TestGateway } from '../support/harness.js';

// Issue 2 §9: internal errors masked, no stack traces unless NODE_ENV=development; the errors that
// are part of the API keep their code and message.
let gw: TestGateway;
let org: OrgFixture;
beforeAll(async () => {
  gw = await startTestGateway({ NODE_ENV: 'production', AUTH_JWT_SECRET: '' });
  org = await createOrg(gw);
  // A failure the code does not expect: the table behind Organization.agents is gone.
  await sql`alter table agents rename to agents_gone`.execute(gw.db);
});
afterAll(async () => {
  await sql`alter table agents_gone rename to agents`.execute(gw.db);
  await gw.close();
});

describe('error masking in production', () => {
  it('an internal failure is INTERNAL_SERVER_ERROR with a generic message, a request id and no details', async () => {
    const response = await gw.gql(org.owner.token, 'query($id: ID!) { organization(id: $id) { name agents { totalCount } } }', {
      id: String(org.organizationId),
    });
    expect(response.errors).toHaveLength(1);
    const [error] = response.errors;
    expect(error?.extensions?.code).toBe('INTERNAL_SERVER_ERROR');
    expect(error?.message).toMatch(/^Internal server error\./);
    expect(error?.extensions?.requestId).toEqual(expect.any(String));
    expect(response.raw).not.toMatch(/relation|stacktrace|node_modules|kysely|agents_gone/i);
    // agents is nullable (README "Nullability"): the failure nulls it alone, at its path.
    expect(response.data).toEqual({ organization: { name: expect.any(String), agents: null } });
    expect(error?.path).toEqual(['organization', 'agents']);
  });

  it('errors that are part of the API keep their code and message', async () => {
    const response = await gw.gql(org.owner.token, 'query { organization(id: "999999") { name } }');
    expect(response.errors[0]?.extensions?.code).toBe('NOT_FOUND');
    expect(response.errors[0]?.message).toBe('Organization "999999" was not found.');
    expect(response.raw).not.toContain('stacktrace');
  });

  it('a syntax error says what is wrong without a stack trace', async () => {
    const response = await gw.gql(org.owner.token, '{ viewer { ');
    expect(response.errors[0]?.extensions?.code).toBe('GRAPHQL_PARSE_FAILED');
    expect(response.raw).not.toContain('stacktrace');
  });
});

describe('a statement that lost a deadlock or a serialization check outside a retried transaction', () => {
  it.each([
    ['40P01', 'deadlock detected'],
    ['40001', 'could not serialize access due to concurrent update'],
  ])('SQLSTATE %s is CONFLICT with advice, never an internal error', (code, text) => {
    const cause = Object.assign(new Error(text), { code });
    const error = new GraphQLError(text, { path: ['updateMemberRole'], originalError: cause });
    const formatted = createFormatError(false)(error.toJSON(), error);
    expect(formatted).toEqual({
      message: `Another change to the same records ran at the same time (PostgreSQL SQLSTATE ${code}); this one was rolled back. Retry the request.`,
      path: ['updateMemberRole'],
      extensions: { code: 'CONFLICT' },
    });
  });
});
