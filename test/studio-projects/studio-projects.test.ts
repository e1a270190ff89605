import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMember, createOrg, createTemplateRole, type OrgFixture } from '../support/fixtures.js';
import { expectAllowed, expectDenied, expectHidden } from '../support/expect.js';
import { startTestGateway, type TestGateway } from '../support/harness.js';

// SPEC §2 `studio_projects` (MANAGE / NO_ACCESS only, so even the list needs MANAGE); §1 Cross-tenant.
const LIST = 'query($id: ID!) { organization(id: $id) { studioProjects { totalCount } } }';
const CREATE = 'mutation($org: ID!, $name: String!) { createStudioProject(organizationId: $org, input: { name: $name }) { id name description } }';
const UPDATE = 'mutation($id: ID!, $description: String) { updateStudioProject(id: $id, input: { description: $description }) { name description } }';
const DELETE = 'mutation($id: ID!) { deleteStudioProject(id: $id) }';

let gw: TestGateway;
let org: OrgFixture;
let other: OrgFixture;
let n = 0;

async function createProject(o: OrgFixture, name = `project-${++n}`): Promise<string> {
  const data = await expectAllowed<{ createStudioProject: { id: string } }>(gw, o.owner.token, CREATE, { org: String(o.organizationId), name });
  return data.createStudioProject.id;
}

beforeAll(async () => {
  gw = await startTestGateway();
  org = await createOrg(gw);
  other = await createOrg(gw);
});
afterAll(async () => gw.close());

describe('Studio projects', () => {
  it('are listed, created and edited by a Member (studio_projects MANAGE by default)', async () => {
    const member = await addMember(gw, org.organizationId, org.memberRoleId);
    const data = await expectAllowed<{ createStudioProject: { id: string } }>(gw, member.token, CREATE, { org: String(org.organizationId), name: 'Demo' });
    const updated = await expectAllowed<{ updateStudioProject: { name: string; description: string } }>(gw, member.token, UPDATE, {
      id: data.createStudioProject.id,
      description: 'a demo crew',
    });
    expect(updated.updateStudioProject).toEqual({ name: 'Demo', description: 'a demo crew' });
    await expectAllowed(gw, member.token, LIST, { id: String(org.organizationId) });
  });

  it('are hidden from a role without studio_projects (Viewer): not in its schema', async () => {
    const viewer = await addMember(gw, org.organizationId, await createTemplateRole(gw, org.organizationId, 'VIEWER'));
    const id = await createProject(org);
    await expectHidden(gw, viewer.token, LIST, { id: String(org.organizationId) }, 'studioProjects');
    await expectHidden(gw, viewer.token, DELETE, { id }, 'deleteStudioProject');
    expect(await gw.db.selectFrom('studioProjects').select('id').where('id', '=', id).execute()).toHaveLength(1);
  });

  it('refuse a name already taken in the organization with CONFLICT', async () => {
    await createProject(org, 'Pipeline');
    await expectDenied(gw, org.owner.token, CREATE, { org: String(org.organizationId), name: 'pipeline' }, 'CONFLICT');
  });

  it('of another organization are NOT_FOUND for update and delete, and stay unchanged', async () => {
    const foreign = await createProject(other, 'Theirs');
    await expectDenied(gw, org.owner.token, UPDATE, { id: foreign, description: 'mine' }, 'NOT_FOUND');
    await expectDenied(gw, org.owner.token, DELETE, { id: foreign }, 'NOT_FOUND');
    const row = await gw.db.selectFrom('studioProjects').select(['name', 'description']).where('id', '=', foreign).executeTakeFirstOrThrow();
    expect(row).toEqual({ name: 'Theirs', description: '' });
  });

  it('are deleted once; the second delete is NOT_FOUND', async () => {
    const id = await createProject(org);
    await expectAllowed(gw, org.owner.token, DELETE, { id });
    await expectDenied(gw, org.owner.token, DELETE, { id }, 'NOT_FOUND');
  });
});
