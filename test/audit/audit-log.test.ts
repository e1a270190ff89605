import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMember, addServiceAccount, createOrg, createRole, type OrgFixture } from '../support/fixtures.js';
import { connectRepo, deployNew } from '../support/automation-fixtures.js';
import { expectAllowed, expectDenied, expectHidden } from '../support/expect.js';
import { startTestGateway, type TestGateway } from '../support/harness.js';

// Issue 4 §7: each audited mutation writes exactly one entry in its own transaction (a failed
// mutation writes none); the table refuses UPDATE, DELETE and TRUNCATE.
let gw: TestGateway;
let org: OrgFixture;
let n = 0;
const o = () => String(org.organizationId);

async function entries(): Promise<Array<{ action: string; targetId: string | null; before: unknown; after: unknown; actorName: string }>> {
  return gw.db
    .selectFrom('auditLog')
    .select(['action', 'targetId', 'before', 'after', 'actorName'])
    .where('organizationId', '=', org.organizationId)
    .orderBy('createdAt')
    .orderBy('id')
    .execute();
}

/** Runs a mutation and returns the entries it added. */
async function audited(query: string, variables: Record<string, unknown>, token = org.owner.token) {
  const before = (await entries()).length;
  await expectAllowed(gw, token, query, variables);
  return (await entries()).slice(before);
}

beforeAll(async () => {
  gw = await startTestGateway();
  org = await createOrg(gw);
});
afterAll(async () => gw.close());

describe('audited mutations write exactly one entry', () => {
  it('role create and update, with before and after', async () => {
    const [created] = await audited('mutation($o: ID!, $n: String!) { createRole(organizationId: $o, input: { name: $n }) { id } }', { o: o(), n: `r${++n}` });
    expect(created).toMatchObject({ action: 'role.create', before: null });
    const roleId = created?.targetId ?? '';
    const added = await audited('mutation($id: ID!) { updateRole(id: $id, input: { features: [{ feature: tools, level: READ }] }) { id } }', { id: roleId });
    expect(added).toHaveLength(1);
    expect(added[0]).toMatchObject({ action: 'role.update', targetId: roleId, before: { tools: 'NO_ACCESS' }, after: { tools: 'READ' } });
  });

  it('env var values never reach the log', async () => {
    const added = await audited(
      'mutation($o: ID!) { createEnvVar(organizationId: $o, input: { name: "AUDITED_SECRET", value: "plain-text-secret-123" }) { id } }',
      { o: o() },
    );
    expect(added).toHaveLength(1);
    expect(added[0]?.after).toMatchObject({ name: 'AUDITED_SECRET', value_ciphertext: '[redacted]', access_list: [] });
    const raw = await sql<{ text: string }>`select string_agg(before::text || after::text, '') as text from audit_log`.execute(gw.db);
    expect(raw.rows[0]?.text ?? '').not.toContain('plain-text-secret-123');
  });

  it("an API token's hash and secret never reach the log", async () => {
    const before = (await entries()).length;
    const data = await expectAllowed<{ createApiToken: { secret: string } }>(
      gw,
      org.owner.token,
      'mutation($o: ID!) { createApiToken(organizationId: $o, input: { name: "ci" }) { secret } }',
      { o: o() },
    );
    const added = (await entries()).slice(before);
    expect(added.map((e) => e.action)).toEqual(['api_token.create']);
    expect(JSON.stringify(added)).not.toContain(data.createApiToken.secret.slice(4));
    expect(added[0]?.after).toMatchObject({ token_hash: '[redacted]' });
  });

  it('member role changes record the membership before and after', async () => {
    const member = await addMember(gw, org.organizationId, org.memberRoleId);
    const roleId = await createRole(gw, org.organizationId, { tools: 'READ' });
    const added = await audited('mutation($o: ID!, $u: ID!, $r: ID!) { updateMemberRole(organizationId: $o, userId: $u, roleId: $r) { joinedAt } }', {
      o: o(),
      u: member.userId,
      r: roleId,
    });
    expect(added).toEqual([
      expect.objectContaining({
        action: 'member.role.update',
        targetId: `${org.organizationId}:${member.userId}`,
        before: expect.objectContaining({ role_id: org.memberRoleId }),
        after: expect.objectContaining({ role_id: roleId }),
      }),
    ]);
  });

  it('grants and visibility of an automation, and its deployments', async () => {
    const repo = await connectRepo(gw, org.owner.token, org.organizationId);
    const before = (await entries()).length;
    const { automationId } = await deployNew(gw, org.owner.token, org.organizationId, repo);
    expect((await entries()).slice(before).map((e) => e.action)).toEqual(['deployment.create']);
    const partner = await addServiceAccount(gw, org.organizationId, await createRole(gw, org.organizationId, { crews_dashboards: 'READ' }));
    const added = await audited(
      'mutation($id: ID!, $sa: ID!) { setAutomationAccess(id: $id, visibility: PRIVATE, access: [{ principalType: SERVICE_ACCOUNT, principalId: $sa, permissions: [TRACES] }]) { id } }',
      { id: automationId, sa: partner.serviceAccountId },
    );
    expect(added).toHaveLength(1);
    expect(added[0]?.before).toMatchObject({ visibility: 'ORGANIZATION' });
    expect(added[0]?.after).toMatchObject({ visibility: 'PRIVATE', access_list: [{ service_account_id: partner.serviceAccountId, permissions: ['traces'] }] });
  });

  it('organization settings record who changed them', async () => {
    const added = await audited('mutation($o: ID!) { updateOrganizationSettings(organizationId: $o, input: { entityRbac: true }) { entityRbac } }', { o: o() });
    expect(added).toEqual([
      expect.objectContaining({
        action: 'organization.settings.update',
        actorName: org.owner.email,
        before: expect.objectContaining({ entity_rbac: false }),
        after: expect.objectContaining({ entity_rbac: true }),
      }),
    ]);
  });
});

describe('a failed mutation writes no entry', () => {
  it.each([
    [
      'an invalid level',
      'mutation($o: ID!) { createRole(organizationId: $o, input: { name: "bad", features: [{ feature: environment_variables, level: READ }] }) { id } }',
      'BAD_USER_INPUT',
    ],
    ['the last Owner demoted', 'mutation($o: ID!, $u: ID!, $r: ID!) { updateMemberRole(organizationId: $o, userId: $u, roleId: $r) { joinedAt } }', 'CONFLICT'],
    ['the Owner role edited', 'mutation($id: ID!) { updateRole(id: $id, input: { name: "Boss" }) { id } }', 'FORBIDDEN'],
  ])('%s', async (_name, query, code) => {
    const single = await createOrg(gw);
    const count = async () => (await gw.db.selectFrom('auditLog').select('id').where('organizationId', '=', single.organizationId).execute()).length;
    const before = await count();
    await expectDenied(
      gw,
      single.owner.token,
      query,
      { o: String(single.organizationId), u: single.owner.userId, r: single.memberRoleId, id: single.ownerRoleId },
      code,
    );
    expect(await count()).toBe(before);
  });

  it('a denied caller (createRole is not in its schema) writes no entry and opens no transaction', async () => {
    const member = await addMember(gw, org.organizationId, org.memberRoleId);
    const before = (await entries()).length;
    await expectHidden(gw, member.token, 'mutation($o: ID!) { createRole(organizationId: $o, input: { name: "nope" }) { id } }', { o: o() }, 'createRole');
    expect((await entries()).length).toBe(before);
  });
});

describe('the audit log is append-only and readable by administrators', () => {
  it.each(["update audit_log set action = 'tampered'", 'delete from audit_log', 'truncate audit_log'])('%s is refused by the database', async (statement) => {
    await expect(sql.raw(statement).execute(gw.db)).rejects.toThrow(/append-only/);
  });

  it("is paginated newest first and filtered, for organization_settings MANAGE only (not in a Member's schema)", async () => {
    const query =
      'query($o: ID!, $f: AuditLogFilter, $after: String) { organization(id: $o) { auditLog(first: 2, after: $after, filter: $f) { totalCount edges { node { action targetType } } pageInfo { hasNextPage endCursor } } } }';
    type Page = {
      organization: {
        auditLog: { totalCount: number; edges: Array<{ node: { action: string; targetType: string } }>; pageInfo: { hasNextPage: boolean; endCursor: string } };
      };
    };
    const first = await expectAllowed<Page>(gw, org.owner.token, query, { o: o(), f: { targetType: 'Role' } });
    expect(first.organization.auditLog.edges.every((e) => e.node.targetType === 'Role')).toBe(true);
    expect(first.organization.auditLog.totalCount).toBeGreaterThanOrEqual(2);
    const all = await expectAllowed<Page>(gw, org.owner.token, query, { o: o(), f: null });
    const second = await expectAllowed<Page>(gw, org.owner.token, query, { o: o(), f: null, after: all.organization.auditLog.pageInfo.endCursor });
    expect(second.organization.auditLog.edges.map((e) => e.node)).not.toEqual(all.organization.auditLog.edges.map((e) => e.node));
    const member = await addMember(gw, org.organizationId, org.memberRoleId);
    await expectHidden(gw, member.token, query, { o: o(), f: null }, 'auditLog');
  });
});
