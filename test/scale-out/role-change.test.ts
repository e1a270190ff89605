import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GqlResponse } from '../support/harness.js';
import { createServerStore, gqlAt, killServerProcesses, runCli, startServerProcess, type ServerProcess, type ServerStore } from '../support/server-process.js';

// SPEC §2 "A permission change takes effect on the very next request, on every replica": two
// built gateway processes on one PostgreSQL database; the Owner changes a member's permissions
// through A and the member's next request to B is decided by the change. PGlite allows one
// process, hence PostgreSQL only.

interface Demo {
  organizationId: number;
  users: Array<{ role: string; email: string; token: string }>;
}

let store: ServerStore;
let a: ServerProcess;
let b: ServerProcess;
let org: string;
let owner: string;
let member: { token: string; userId: string; roleId: string };

const TOOLS = 'query($org: ID!) { organization(id: $org) { tools(first: 5) { totalCount } } }';
const UPDATE_ROLE = 'mutation($id: ID!, $level: PermissionLevel!) { updateRole(id: $id, input: { features: [{ feature: tools, level: $level }] }) { id } }';
const CREATE_ROLE = 'mutation($org: ID!, $name: String!) { createRole(organizationId: $org, input: { name: $name }) { id } }';
const MOVE_MEMBER = 'mutation($org: ID!, $user: ID!, $role: ID!) { updateMemberRole(organizationId: $org, userId: $user, roleId: $role) { role { id } } }';
const MEMBERS = 'query($org: ID!) { organization(id: $org) { members(first: 50) { edges { node { user { id email } role { id kind } } } } } }';

/** Runs an Owner mutation through A and asserts it succeeded. */
async function throughA<T>(query: string, variables: Record<string, unknown>): Promise<T> {
  const response = await gqlAt<T>(a.url, owner, query, variables);
  expect(response.errors, JSON.stringify(response.errors)).toEqual([]);
  if (response.data === null) throw new Error(`no data from ${query}`);
  return response.data;
}

function memberReadsToolsOnB(): Promise<GqlResponse<{ organization: { tools: { totalCount: number } } | null }>> {
  return gqlAt(b.url, member.token, TOOLS, { org });
}

async function expectAllowedOnB(): Promise<void> {
  const response = await memberReadsToolsOnB();
  expect(response.errors, JSON.stringify(response.errors)).toEqual([]);
  expect(response.data?.organization?.tools.totalCount).toBe(0);
}

/**
 * Refused, with nothing of the list sent: the member's new permission set cannot reach `tools`,
 * so the schema B serves it has no such field (src/authz/visible-schema).
 */
async function expectRefusedOnB(): Promise<void> {
  const response = await memberReadsToolsOnB();
  expect(response.data).toBeNull();
  expect(response.errors).toHaveLength(1);
  expect(response.errors[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
  expect(response.errors[0]?.message).toMatch(/^Cannot query field "tools" on type "Organization"/);
}

const changes: Array<{ change: string; revoke: () => Promise<void>; restore: () => Promise<void> }> = [
  {
    change: 'the levels of the Member role',
    revoke: async () => void (await throughA(UPDATE_ROLE, { id: member.roleId, level: 'NO_ACCESS' })),
    restore: async () => void (await throughA(UPDATE_ROLE, { id: member.roleId, level: 'READ' })),
  },
  {
    change: 'the role held by the member',
    revoke: async () => {
      // A custom role created without levels has NO_ACCESS to every feature.
      const created = await throughA<{ createRole: { id: string } }>(CREATE_ROLE, { org, name: 'Nothing' });
      await throughA(MOVE_MEMBER, { org, user: member.userId, role: created.createRole.id });
    },
    restore: async () => void (await throughA(MOVE_MEMBER, { org, user: member.userId, role: member.roleId })),
  },
];

describe.skipIf(!process.env.TEST_DATABASE_URL)('two gateway processes on one PostgreSQL database', () => {
  beforeAll(async () => {
    store = await createServerStore();
    const demo = await runCli<Demo>(store.env, ['demo']);
    org = String(demo.organizationId);
    const byRole = (role: string) => demo.users.find((u) => u.role === role);
    owner = byRole('Owner')?.token ?? '';
    [a, b] = await Promise.all([startServerProcess(store.env), startServerProcess(store.env)]);
    const memberUser = byRole('Member');
    const members = await throughA<{
      organization: { members: { edges: Array<{ node: { user: { id: string; email: string }; role: { id: string; kind: string } } }> } };
    }>(MEMBERS, { org });
    const row = members.organization.members.edges.find((e) => e.node.user.email === memberUser?.email)?.node;
    if (!memberUser || !row || row.role.kind !== 'MEMBER') throw new Error(`the demo organization has no Member: ${JSON.stringify(members)}`);
    member = { token: memberUser.token, userId: row.user.id, roleId: row.role.id };
  }, 120_000);

  afterAll(async () => {
    killServerProcesses();
    await store?.close();
  });

  it.each(changes)("a change of $change made through A is enforced by B at the member's very next request, both ways", async ({ revoke, restore }) => {
    // B has served the member under the old permissions, so anything it kept would show below.
    await expectAllowedOnB();
    await revoke();
    await expectRefusedOnB();
    await restore();
    await expectAllowedOnB();
  });
});
