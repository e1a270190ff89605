import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrg, type OrgFixture } from '../support/fixtures.js';
import { expectAllowed, expectDenied } from '../support/expect.js';
import { startTestGateway, type TestGateway } from '../support/harness.js';

// Issue 13 item 2: a Studio project's definition is checked whole before it is stored, and a
// refusal is BAD_USER_INPUT whose `extensions.path` names the bad element, as in this table.
const CREATE = 'mutation($org: ID!, $input: CreateStudioProjectInput!) { createStudioProject(organizationId: $org, input: $input) { id definition } }';
const UPDATE = 'mutation($id: ID!, $definition: JSONObject) { updateStudioProject(id: $id, input: { definition: $definition }) { id definition } }';
const CREATE_TOOL =
  'mutation($org: ID!, $name: String!) { createTool(organizationId: $org, input: { name: $name, kind: HTTP, config: { url: "https://search.example.com" } }) { id } }';

type Definition = { process?: string; agents: Array<Record<string, unknown>>; tasks: Array<Record<string, unknown>> };

let gw: TestGateway;
let org: OrgFixture;
let tool: string;
let foreignTool: string;
let project: string;

const valid = (): Definition => ({
  agents: [
    { key: 'researcher', role: 'Researcher', goal: 'Find the facts', backstory: 'Curious', toolIds: [tool] },
    { key: 'writer', role: 'Writer', goal: 'Write it up' },
  ],
  tasks: [
    { key: 'research', description: 'Research {topic}', expectedOutput: 'Notes', agent: 'researcher' },
    { key: 'write', description: 'Write about {topic}', agent: 'writer', toolIds: [tool] },
  ],
});

async function createTool(o: OrgFixture, name: string): Promise<string> {
  const data = await expectAllowed<{ createTool: { id: string } }>(gw, o.owner.token, CREATE_TOOL, { org: String(o.organizationId), name });
  return data.createTool.id;
}

beforeAll(async () => {
  gw = await startTestGateway();
  org = await createOrg(gw);
  const other = await createOrg(gw);
  tool = await createTool(org, 'search');
  foreignTool = await createTool(other, 'theirs');
  const data = await expectAllowed<{ createStudioProject: { id: string } }>(gw, org.owner.token, CREATE, {
    org: String(org.organizationId),
    input: { name: 'Crew' },
  });
  project = data.createStudioProject.id;
});
afterAll(async () => gw.close());

describe('a valid definition', () => {
  it('is stored with its defaults filled in, and read back through StudioProject.definition', async () => {
    const data = await expectAllowed<{ updateStudioProject: { definition: Definition } }>(gw, org.owner.token, UPDATE, { id: project, definition: valid() });
    expect(data.updateStudioProject.definition.process).toBe('SEQUENTIAL');
    expect(data.updateStudioProject.definition.agents[1]).toEqual({ key: 'writer', role: 'Writer', goal: 'Write it up', backstory: '', toolIds: [] });
    expect(data.updateStudioProject.definition.tasks[1]).toMatchObject({ expectedOutput: '', agent: 'writer', toolIds: [tool] });
  });

  it('can be given when the project is created', async () => {
    const data = await expectAllowed<{ createStudioProject: { definition: Definition } }>(gw, org.owner.token, CREATE, {
      org: String(org.organizationId),
      input: { name: 'Created with one', definition: { ...valid(), process: 'HIERARCHICAL' } },
    });
    expect(data.createStudioProject.definition.process).toBe('HIERARCHICAL');
  });
});

describe('an invalid definition is refused with the path of the bad element', () => {
  const CASES: Array<{ problem: string; path: string; change: (d: Definition) => void }> = [
    { problem: 'a task names an agent the definition does not have', path: 'tasks[1].agent', change: (d) => void (d.tasks[1]!.agent = 'editor') },
    { problem: "a tool reference names another organization's tool", path: 'agents[0].toolIds[0]', change: (d) => void (d.agents[0]!.toolIds = [foreignTool]) },
    {
      problem: 'a tool reference names no tool at all',
      path: 'tasks[1].toolIds[0]',
      change: (d) => void (d.tasks[1]!.toolIds = ['00000000-0000-4000-8000-000000000000']),
    },
    { problem: 'a tool reference is not an id', path: 'tasks[1].toolIds[0]', change: (d) => void (d.tasks[1]!.toolIds = ['search']) },
    { problem: 'two agents share a key', path: 'agents[1].key', change: (d) => void (d.agents[1]!.key = 'researcher') },
    { problem: 'a key is not a name', path: 'tasks[0].key', change: (d) => void (d.tasks[0]!.key = '1st task') },
    { problem: 'an agent has a property a definition does not', path: 'agents[0].llm', change: (d) => void (d.agents[0]!.llm = 'gpt-4o') },
    { problem: 'a task has no description', path: 'tasks[0].description', change: (d) => void (d.tasks[0]!.description = ' ') },
    { problem: 'a backstory is too long', path: 'agents[0].backstory', change: (d) => void (d.agents[0]!.backstory = 'x'.repeat(4001)) },
    {
      problem: 'an agent references too many tools',
      path: 'agents[0].toolIds',
      change: (d) => void (d.agents[0]!.toolIds = Array.from({ length: 21 }, () => tool)),
    },
    {
      problem: 'there are too many agents',
      path: 'agents',
      change: (d) => void (d.agents = Array.from({ length: 51 }, (_, i) => ({ key: `a${i}`, role: 'r', goal: 'g' }))),
    },
    { problem: 'there is no task', path: 'tasks', change: (d) => void (d.tasks = []) },
    { problem: 'the process is unknown', path: 'process', change: (d) => void (d.process = 'PARALLEL') },
    {
      problem: 'the whole is over 256 KiB',
      path: '',
      change: (d) =>
        void (d.agents = Array.from({ length: 50 }, (_, i) => ({ key: `a${i}`, role: 'r'.repeat(500), goal: 'g'.repeat(2000), backstory: 'b'.repeat(4000) }))),
    },
  ];

  it.each(CASES)('$problem: $path', async ({ path, change }) => {
    const definition = valid();
    change(definition);
    const before = await gw.db.selectFrom('studioProjects').select('definition').where('id', '=', project).executeTakeFirstOrThrow();
    const denied = await expectDenied(gw, org.owner.token, UPDATE, { id: project, definition }, 'BAD_USER_INPUT');
    const error = denied.errors[0];
    expect(error?.extensions).toMatchObject({ field: 'definition', path });
    expect(error?.message).toMatch(path === '' ? /^definition must be at most/ : new RegExp(`^definition\\.${path.replace(/[[\]]/g, '\\$&')} `));
    // Nothing was stored.
    const after = await gw.db.selectFrom('studioProjects').select('definition').where('id', '=', project).executeTakeFirstOrThrow();
    expect(after).toEqual(before);
  });

  it('createStudioProject checks the same way and creates nothing', async () => {
    const definition = valid();
    definition.tasks[0]!.agent = 'nobody';
    const denied = await expectDenied(
      gw,
      org.owner.token,
      CREATE,
      { org: String(org.organizationId), input: { name: 'Refused', definition } },
      'BAD_USER_INPUT',
    );
    expect(denied.errors[0]?.extensions?.path).toBe('tasks[0].agent');
    expect(await gw.db.selectFrom('studioProjects').select('id').where('name', '=', 'Refused').execute()).toEqual([]);
  });
});
