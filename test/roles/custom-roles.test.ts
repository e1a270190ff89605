import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMember, createOrg, createRole, type OrgFixture } from '../support/fixtures.js';
import { expectAllowed, expectDenied, expectHidden } from '../support/expect.js';
import { startTestGateway, type TestGateway } from '../support/harness.js';

let gw: TestGateway;
let org: OrgFixture;
beforeAll(async () => {
  gw = await startTestGateway();
  org = await createOrg(gw);
});
afterAll(async () => gw.close());

const CREATE = `mutation($org: ID!, $input: CreateRoleInput!) {
  createRole(organizationId: $org, input: $input) { id name kind template description features { feature level } }
}`;
const UPDATE = 'mutation($id: ID!, $input: UpdateRoleInput!) { updateRole(id: $id, input: $input) { id name features { feature level } } }';
const DELETE = 'mutation($id: ID!) { deleteRole(id: $id) }';

describe('custom roles (SPEC §2)', () => {
  it.each([
    ['environment_variables', 'READ', 'MANAGE, NO_ACCESS'],
    ['llm_connections', 'READ', 'MANAGE, NO_ACCESS'],
    ['default_settings', 'READ', 'MANAGE, NO_ACCESS'],
    ['organization_settings', 'READ', 'MANAGE, NO_ACCESS'],
    ['studio_projects', 'READ', 'MANAGE, NO_ACCESS'],
  ])('a level outside the allowed ones (%s: %s) is BAD_USER_INPUT naming the feature and its levels', async (feature, level, allowed) => {
    const response = await expectDenied(
      gw,
      org.owner.token,
      CREATE,
      { org: String(org.organizationId), input: { name: `bad-${feature}`, features: [{ feature, level }] } },
      'BAD_USER_INPUT',
    );
    expect(response.errors[0]?.message).toContain(feature);
    expect(response.errors[0]?.message).toContain(allowed);
    const roles = await expectAllowed<{ organization: { roles: Array<{ name: string }> } }>(
      gw,
      org.owner.token,
      'query($id: ID!) { organization(id: $id) { roles { name } } }',
      { id: String(org.organizationId) },
    );
    expect(roles.organization.roles.map((r) => r.name)).not.toContain(`bad-${feature}`);
  });

  it('a role made from the Ops template has organization_settings NO_ACCESS and says why', async () => {
    const data = await expectAllowed<{ createRole: { template: string; description: string; features: Array<{ feature: string; level: string }> } }>(
      gw,
      org.owner.token,
      CREATE,
      { org: String(org.organizationId), input: { name: 'Ops team', template: 'OPS' } },
    );
    expect(data.createRole.template).toBe('OPS');
    expect(data.createRole.features.find((f) => f.feature === 'organization_settings')?.level).toBe('NO_ACCESS');
    expect(data.createRole.features.find((f) => f.feature === 'default_settings')?.level).toBe('MANAGE');
    expect(data.createRole.description).toContain('least privilege');
  });

  it('role templates are offered with the three patterns of the docs', async () => {
    const data = await expectAllowed<{ roleTemplates: Array<{ template: string }> }>(
      gw,
      org.owner.token,
      '{ roleTemplates { template name features { feature level } } }',
    );
    expect(data.roleTemplates.map((t) => t.template)).toEqual(['DEVELOPER', 'VIEWER', 'OPS']);
  });

  it('two roles cannot share a name in one organization', async () => {
    await expectAllowed(gw, org.owner.token, CREATE, { org: String(org.organizationId), input: { name: 'Twin' } });
    await expectDenied(gw, org.owner.token, CREATE, { org: String(org.organizationId), input: { name: 'twin' } }, 'CONFLICT');
  });

  it('the Owner role cannot be edited or deleted', async () => {
    await expectDenied(gw, org.owner.token, UPDATE, { id: org.ownerRoleId, input: { features: [{ feature: 'tools', level: 'READ' }] } }, 'FORBIDDEN');
    await expectDenied(gw, org.owner.token, DELETE, { id: org.ownerRoleId }, 'FORBIDDEN');
  });

  it('the Member role keeps its name and cannot be deleted, but its levels can change', async () => {
    await expectDenied(gw, org.owner.token, UPDATE, { id: org.memberRoleId, input: { name: 'Staff' } }, 'FORBIDDEN');
    await expectDenied(gw, org.owner.token, DELETE, { id: org.memberRoleId }, 'FORBIDDEN');
    const data = await expectAllowed<{ updateRole: { features: Array<{ feature: string; level: string }> } }>(gw, org.owner.token, UPDATE, {
      id: org.memberRoleId,
      input: { features: [{ feature: 'agents', level: 'NO_ACCESS' }] },
    });
    expect(data.updateRole.features.find((f) => f.feature === 'agents')?.level).toBe('NO_ACCESS');
    await expectAllowed(gw, org.owner.token, UPDATE, { id: org.memberRoleId, input: { features: [{ feature: 'agents', level: 'READ' }] } });
  });

  it('a role still held by a member cannot be deleted (CONFLICT), an unused one can', async () => {
    const held = await createRole(gw, org.organizationId, { tools: 'READ' });
    await addMember(gw, org.organizationId, held);
    await expectDenied(gw, org.owner.token, DELETE, { id: held }, 'CONFLICT');
    const unused = await createRole(gw, org.organizationId, { tools: 'READ' });
    expect(await expectAllowed(gw, org.owner.token, DELETE, { id: unused })).toEqual({ deleteRole: unused });
  });

  it('a member without organization_settings cannot create roles: createRole is not in its schema', async () => {
    const member = await addMember(gw, org.organizationId, org.memberRoleId);
    await expectHidden(gw, member.token, CREATE, { org: String(org.organizationId), input: { name: 'Sneaky' } }, 'createRole');
    expect(await gw.db.selectFrom('roles').select('id').where('organizationId', '=', org.organizationId).where('name', '=', 'Sneaky').execute()).toEqual([]);
  });

  it('a role change takes effect on the very next request: the field leaves the schema, and comes back when the role is restored', async () => {
    const roleId = await createRole(gw, org.organizationId, { tools: 'READ' });
    const member = await addMember(gw, org.organizationId, roleId);
    const tools = 'query($id: ID!) { organization(id: $id) { tools { totalCount } } }';
    const organizationFields = async () => {
      const data = await expectAllowed<{ __type: { fields: Array<{ name: string }> } }>(
        gw,
        member.token,
        '{ __type(name: "Organization") { fields { name } } }',
      );
      return data.__type.fields.map((f) => f.name);
    };
    await expectAllowed(gw, member.token, tools, { id: String(org.organizationId) });
    expect(await organizationFields()).toContain('tools');
    await expectAllowed(gw, org.owner.token, UPDATE, { id: roleId, input: { features: [{ feature: 'tools', level: 'NO_ACCESS' }] } });
    await expectHidden(gw, member.token, tools, { id: String(org.organizationId) }, 'tools');
    expect(await organizationFields()).not.toContain('tools');
    await expectAllowed(gw, org.owner.token, UPDATE, { id: roleId, input: { features: [{ feature: 'tools', level: 'READ' }] } });
    await expectAllowed(gw, member.token, tools, { id: String(org.organizationId) });
    expect(await organizationFields()).toContain('tools');
  });
});
