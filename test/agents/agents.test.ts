import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMember, createOrg, type OrgFixture } from '../support/fixtures.js';
import { expectAllowed, expectDenied, expectHidden } from '../support/expect.js';
import { startTestGateway, type TestGateway } from '../support/harness.js';

// SPEC §2 `agents`: READ lists, MANAGE creates, edits, deletes; SPEC §1 Cross-tenant.
const CREATE = `mutation($org: ID!, $name: String!, $goal: String) {
  createAgent(organizationId: $org, input: { name: $name, goal: $goal }) { id name goal role createdBy { id } }
}`;
const UPDATE = 'mutation($id: ID!, $name: String, $goal: String) { updateAgent(id: $id, input: { name: $name, goal: $goal }) { id name goal } }';
const DELETE = 'mutation($id: ID!) { deleteAgent(id: $id) }';

interface AgentData {
  id: string;
  name: string;
  goal: string;
}

let gw: TestGateway;
let org: OrgFixture;
let other: OrgFixture;
let n = 0;

async function createAgent(o: OrgFixture, name = `agent-${++n}`): Promise<string> {
  const data = await expectAllowed<{ createAgent: AgentData }>(gw, o.owner.token, CREATE, { org: String(o.organizationId), name });
  return data.createAgent.id;
}

beforeAll(async () => {
  gw = await startTestGateway();
  org = await createOrg(gw);
  other = await createOrg(gw);
});
afterAll(async () => gw.close());

describe('agents', () => {
  it('are created with their creator and edited field by field; omitted fields stay', async () => {
    const created = await expectAllowed<{ createAgent: AgentData & { role: string; createdBy: { id: string } } }>(gw, org.owner.token, CREATE, {
      org: String(org.organizationId),
      name: 'Researcher',
      goal: 'find facts',
    });
    expect(created.createAgent).toMatchObject({ name: 'Researcher', goal: 'find facts', role: '', createdBy: { id: org.owner.userId } });
    const updated = await expectAllowed<{ updateAgent: AgentData }>(gw, org.owner.token, UPDATE, { id: created.createAgent.id, name: 'Analyst' });
    expect(updated.updateAgent).toEqual({ id: created.createAgent.id, name: 'Analyst', goal: 'find facts' });
  });

  it('refuse a name already taken in the organization with CONFLICT, and a blank one with BAD_USER_INPUT', async () => {
    await createAgent(org, 'Writer');
    await expectDenied(gw, org.owner.token, CREATE, { org: String(org.organizationId), name: 'WRITER' }, 'CONFLICT');
    await expectDenied(gw, org.owner.token, CREATE, { org: String(org.organizationId), name: '  ' }, 'BAD_USER_INPUT');
    const id = await createAgent(org);
    await expectDenied(gw, org.owner.token, UPDATE, { id, name: 'writer' }, 'CONFLICT');
  });

  it('are managed only with agents MANAGE: a Member (READ) does not see createAgent, updateAgent or deleteAgent, and changes nothing', async () => {
    const member = await addMember(gw, org.organizationId, org.memberRoleId);
    const id = await createAgent(org, 'Untouched');
    await expectHidden(gw, member.token, CREATE, { org: String(org.organizationId), name: 'mine' }, 'createAgent');
    await expectHidden(gw, member.token, UPDATE, { id, name: 'x' }, 'updateAgent');
    await expectHidden(gw, member.token, DELETE, { id }, 'deleteAgent');
    const row = await gw.db.selectFrom('agents').select('name').where('id', '=', id).executeTakeFirstOrThrow();
    expect(row.name).toBe('Untouched');
    // READ still lists them.
    const list = await expectAllowed<{ organization: { agents: { totalCount: number } } }>(
      gw,
      member.token,
      'query($o: ID!) { organization(id: $o) { agents { totalCount } } }',
      { o: String(org.organizationId) },
    );
    expect(list.organization.agents.totalCount).toBeGreaterThan(0);
  });

  it('of another organization are NOT_FOUND for update and delete, and stay unchanged', async () => {
    const foreign = await createAgent(other, 'Theirs');
    await expectDenied(gw, org.owner.token, UPDATE, { id: foreign, name: 'Mine now' }, 'NOT_FOUND');
    await expectDenied(gw, org.owner.token, DELETE, { id: foreign }, 'NOT_FOUND');
    await expectDenied(gw, org.owner.token, CREATE, { org: String(other.organizationId), name: 'sneaky' }, 'NOT_FOUND');
    const row = await gw.db.selectFrom('agents').select('name').where('id', '=', foreign).executeTakeFirstOrThrow();
    expect(row.name).toBe('Theirs');
  });

  it('are deleted once; the second delete is NOT_FOUND', async () => {
    const id = await createAgent(org);
    expect(await expectAllowed<{ deleteAgent: string }>(gw, org.owner.token, DELETE, { id })).toEqual({ deleteAgent: id });
    await expectDenied(gw, org.owner.token, DELETE, { id }, 'NOT_FOUND');
  });
});
