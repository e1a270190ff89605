import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildExecutableSchema } from '../../src/graphql/schema.js';
import { grantInstanceAdmin } from '../../src/authz/instance-admins.repository.js';
import { createOrg, jwtFor } from '../support/fixtures.js';
import { startTestGateway, type GqlResponse, type TestGateway } from '../support/harness.js';
import { textInputs, type TextInput } from './schema-inputs.js';

// Issue 15 §6: text PostgreSQL cannot store and cursors no list wrote are BAD_USER_INPUT naming
// the argument, never INTERNAL_SERVER_ERROR. The table is the schema itself: every String and ID
// argument, every String and ID input field, every after/before cursor, as found by walking it,
// so that a field added later is covered without touching this file.
const INPUTS = textInputs(buildExecutableSchema());
const CURSORS = INPUTS.filter((input) => input.cursor);

const UUID = '00000000-0000-4000-8000-000000000000';
const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64url');

/** What no caller may send as text: NUL, and a UTF-16 surrogate without its pair. */
const UNSTORABLE: Array<[string, string]> = [
  ['a NUL', 'a\u0000b'],
  ['a lone high surrogate', '\ud800'],
  ['a lone low surrogate', 'x\udc00y'],
];

/** Cursors of impossible instants, and ones that are no cursor at all. */
const BAD_CURSORS: Array<[string, string]> = [
  ['year 300000', b64(`+300000-01-01T00:00:00.000Z|${UUID}`)],
  ["year +275760 (JavaScript's last)", b64(`+275760-09-13T00:00:00.000Z|${UUID}`)],
  ['a negative year', b64(`-100000-01-01T00:00:00.000Z|${UUID}`)],
  ['year 0', b64(`0000-01-01T00:00:00.000Z|${UUID}`)],
  ['before 1970', b64(`1969-12-31T23:59:59.999Z|${UUID}`)],
  ['a non-canonical date', b64(`2026-02-30T00:00:00.000Z|${UUID}`)],
  ['an UPDATED_AT cursor in year 300000', b64(`u|+300000-01-01T00:00:00.000Z|${UUID}`)],
  ['a span cursor past int8', b64('s|99999999999999999999|1')],
  ['garbage', 'not a cursor!'],
  ['base64 of garbage', b64('garbage')],
  ['base64 of a NUL', b64(`2026-01-01T00:00:00.000Z|${UUID}\u0000`)],
];

let gw: TestGateway;
let owner: string;
beforeAll(async () => {
  gw = await startTestGateway();
  // An Owner, signed in (a session reaches what API tokens do not) and an instance administrator,
  // so that every field of the schema is in the caller's schema.
  const org = await createOrg(gw);
  await grantInstanceAdmin(gw.db, org.owner.userId ?? '');
  owner = await jwtFor(org.owner.email ?? '');
});
afterAll(async () => gw.close());

function expectRefused(input: TextInput, response: GqlResponse<unknown>): void {
  const summary = `${input.label}: ${response.status} ${response.raw.slice(0, 400)}`;
  const codes = response.errors.map((e) => e.extensions?.code);
  expect(codes, summary).not.toContain('INTERNAL_SERVER_ERROR');
  expect(codes, summary).toEqual(['BAD_USER_INPUT']);
  expect(response.status, summary).toBe(400);
  expect(response.data, summary).toBeNull();
  expect(response.errors[0]?.extensions?.field, summary).toBe(input.argument);
  expect(response.errors[0]?.extensions?.coordinate, summary).toBe(input.label.replace(/\(.*$/, ''));
  expect(response.errors[0]?.message, summary).toContain(`"${input.argument}"`);
}

describe('the table is the whole schema', () => {
  it('finds the text inputs and cursors of every domain', () => {
    const labels = INPUTS.map((i) => i.label);
    expect(labels).toEqual(expect.arrayContaining(['Query.organization(id)', 'Organization.invitations(after)', 'Execution.spans(after)']));
    expect(INPUTS.length).toBeGreaterThan(100);
    expect(CURSORS.length).toBeGreaterThan(15);
  });
});

describe.each(UNSTORABLE)('%s in a variable', (_name, text) => {
  it.each(INPUTS.map((input) => [input.label, input] as const))('%s is BAD_USER_INPUT naming the argument', async (_label, input) => {
    expectRefused(input, await gw.gql(owner, input.query, { v: input.value(text) }));
  });
});

describe('a NUL in a literal of the document', () => {
  it.each(INPUTS.map((input) => [input.label, input] as const))('%s is BAD_USER_INPUT naming the argument', async (_label, input) => {
    expectRefused(input, await gw.gql(owner, input.literal('a\u0000b')));
  });
});

describe.each(BAD_CURSORS)('a cursor of %s', (_name, cursor) => {
  it.each(CURSORS.map((input) => [input.label, input] as const))('%s is BAD_USER_INPUT naming the argument', async (_label, input) => {
    expectRefused(input, await gw.gql(owner, input.query, { v: input.value(cursor) }));
    expectRefused(input, await gw.gql(owner, input.literal(cursor)));
  });
});

describe('what is refused is only what cannot be stored', () => {
  it('keeps well-formed text outside the BMP (a surrogate pair) and a real cursor', async () => {
    const org = await gw.gql<{ createOrganization: { id: string } }>(owner, 'mutation($n: String!) { createOrganization(input: { name: $n }) { id } }', {
      n: 'Rocket 🚀 team',
    });
    expect(org.errors).toEqual([]);
    const first = await gw.gql<{ organization: { invitations: { pageInfo: { endCursor: string | null } } } }>(
      owner,
      'query($id: ID!, $after: String) { organization(id: $id) { invitations(first: 1, after: $after) { pageInfo { endCursor } } } }',
      { id: org.data?.createOrganization.id, after: null },
    );
    expect(first.errors).toEqual([]);
  });
});
