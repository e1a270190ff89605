import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectAllowed, expectDenied } from '../support/expect.js';
import { addMember, createOrg, createRole } from '../support/fixtures.js';
import { startTestGateway, type TestGateway } from '../support/harness.js';

// Issue 15 §3: what one organization can add to the permission-set space, each set being a schema
// in the gateway's cache, is bounded: custom roles, enabled service accounts, and schema builds per
// minute. Each refusal names the setting and says how to make room.
let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway({
    MAX_CUSTOM_ROLES_PER_ORGANIZATION: '2',
    MAX_SERVICE_ACCOUNTS_PER_ORGANIZATION: '2',
    SCHEMA_BUILDS_PER_ORGANIZATION_PER_MINUTE: '18',
  });
});
afterAll(async () => gw.close());

const CREATE_ROLE = 'mutation($org: ID!, $name: String!) { createRole(organizationId: $org, input: { name: $name, template: VIEWER }) { id } }';
const CREATE_ACCOUNT =
  'mutation($org: ID!, $name: String!, $role: ID!) { createServiceAccount(organizationId: $org, input: { name: $name, roleId: $role }) { id } }';

describe('bounds on the permission sets of one organization', () => {
  it('custom roles: at most MAX_CUSTOM_ROLES_PER_ORGANIZATION; deleting one makes room', async () => {
    const org = await createOrg(gw);
    const vars = (name: string) => ({ org: String(org.organizationId), name });
    const first = await expectAllowed<{ createRole: { id: string } }>(gw, org.owner.token, CREATE_ROLE, vars('one'));
    await expectAllowed(gw, org.owner.token, CREATE_ROLE, vars('two'));
    const refused = await expectDenied(gw, org.owner.token, CREATE_ROLE, vars('three'), 'CONFLICT');
    expect(refused.errors[0]?.message).toBe(
      'This organization has 2 custom roles, the most allowed (MAX_CUSTOM_ROLES_PER_ORGANIZATION). Delete a custom role no one holds any more (deleteRole), or ask the operator to raise the limit.',
    );
    expect(refused.errors[0]?.extensions?.limit).toEqual({ name: 'MAX_CUSTOM_ROLES_PER_ORGANIZATION', max: 2 });
    await expectAllowed(gw, org.owner.token, 'mutation($id: ID!) { deleteRole(id: $id) }', { id: first.createRole.id });
    await expectAllowed(gw, org.owner.token, CREATE_ROLE, vars('three'));
  });

  it('service accounts: at most MAX_SERVICE_ACCOUNTS_PER_ORGANIZATION enabled; disabling one makes room', async () => {
    const org = await createOrg(gw);
    const vars = (name: string) => ({ org: String(org.organizationId), name, role: org.memberRoleId });
    const first = await expectAllowed<{ createServiceAccount: { id: string } }>(gw, org.owner.token, CREATE_ACCOUNT, vars('ci'));
    await expectAllowed(gw, org.owner.token, CREATE_ACCOUNT, vars('partner'));
    const refused = await expectDenied(gw, org.owner.token, CREATE_ACCOUNT, vars('third'), 'CONFLICT');
    expect(refused.errors[0]?.message).toContain('MAX_SERVICE_ACCOUNTS_PER_ORGANIZATION');
    expect(refused.errors[0]?.message).toContain('disableServiceAccount');
    expect(refused.errors[0]?.extensions?.limit).toEqual({ name: 'MAX_SERVICE_ACCOUNTS_PER_ORGANIZATION', max: 2 });
    await expectAllowed(gw, org.owner.token, 'mutation($id: ID!) { disableServiceAccount(id: $id) { id } }', { id: first.createServiceAccount.id });
    await expectAllowed(gw, org.owner.token, CREATE_ACCOUNT, vars('third'));
  });

  it('schema builds: a fourth new permission set within 10 s (a sixth of the 18 a minute) is 429 with Retry-After; known sets and other organizations are served', async () => {
    const org = await createOrg(gw);
    const other = await createOrg(gw);
    const members = await Promise.all(
      [{ tools: 'READ' as const }, { tools: 'MANAGE' as const }, { agents: 'READ' as const }, { agents: 'MANAGE' as const }].map(async (levels) =>
        addMember(gw, org.organizationId, await createRole(gw, org.organizationId, { crews_dashboards: 'READ', ...levels })),
      ),
    );
    const ask = (token: string) =>
      fetch(gw.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ query: '{ viewer { __typename } }' }),
      });
    // Three members of three new sets: three builds.
    for (const member of members.slice(0, 3)) expect((await ask(member.token)).status).toBe(200);
    const refused = await ask(members[3]?.token ?? '');
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    const body = (await refused.json()) as { errors: Array<{ message: string; extensions: Record<string, unknown> }> };
    expect(body.errors[0]?.extensions).toMatchObject({ code: 'RATE_LIMITED', limit: { name: 'schemaBuildsPerOrganization', max: 18 } });
    expect(body.errors[0]?.message).toContain('SCHEMA_BUILDS_PER_ORGANIZATION_PER_MINUTE');
    // A set already built costs nothing; another organization has its own budget.
    expect((await ask(members[0]?.token ?? '')).status).toBe(200);
    expect((await ask(other.owner.token)).status).toBe(200);
  });
});
