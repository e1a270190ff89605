import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deploymentCode } from '../../src/modules/deployments/deployment-code.js';
import { connectRepo } from '../support/automation-fixtures.js';
import { expectAllowed, expectDenied } from '../support/expect.js';
import { addMember, createOrg, createRole, type OrgFixture } from '../support/fixtures.js';
import { SHARED_NAMESPACE, startClusterEnv, type ClusterEnv } from '../support/k8s-setup.js';

// Issue 13 item 2, "Studio as a third source" (SPEC §4 "build in Studio": studio_projects: MANAGE,
// with crews_dashboards: READ for deploying at all; SPEC §7 "from a Studio project's definition").
const DEPLOY = `mutation($org: ID!, $input: DeployAutomationInput!) {
  deployAutomation(organizationId: $org, input: $input) {
    id version status sourceType studioProjectName studioDefinitionSha256 gitRepoFullName archiveSha256 appliedObjects { kind } manifests
  }
}`;
const AGAIN = {
  redeploy: 'mutation($id: ID!) { redeployAutomation(id: $id) { id version status sourceType studioDefinitionSha256 } }',
  rollback: 'mutation($id: ID!, $v: Int!) { rollbackAutomation(id: $id, toVersion: $v) { id version status sourceType studioDefinitionSha256 } }',
};
const PROJECT = 'mutation($org: ID!, $input: CreateStudioProjectInput!) { createStudioProject(organizationId: $org, input: $input) { id } }';
const EDIT = 'mutation($id: ID!, $definition: JSONObject) { updateStudioProject(id: $id, input: { definition: $definition }) { id } }';

interface Deployed {
  id: string;
  version: number;
  status: string;
  sourceType: string;
  studioProjectName?: string | null;
  studioDefinitionSha256: string | null;
  appliedObjects?: Array<{ kind: string }>;
}
type StudioDocument = {
  format: string;
  project: { id: string; name: string };
  process: string;
  agents: Array<{ goal: string }>;
  tasks: unknown[];
  tools: Array<{ id: string; name: string; kind: string }>;
};

let env: ClusterEnv;
let org: OrgFixture;
let tool: string;
let n = 0;

const definition = (goal = 'Find the facts') => ({
  agents: [{ key: 'researcher', role: 'Researcher', goal, toolIds: [tool] }],
  tasks: [{ key: 'research', description: 'Research {topic}', agent: 'researcher' }],
});

async function project(withDefinition = true): Promise<string> {
  const input = { name: `studio-${++n}`, ...(withDefinition ? { definition: definition() } : {}) };
  return (await expectAllowed<{ createStudioProject: { id: string } }>(env.gw, org.owner.token, PROJECT, { org: String(org.organizationId), input }))
    .createStudioProject.id;
}

async function deployStudio(token: string, studioProjectId: string, extra: Record<string, unknown> = {}): Promise<Deployed> {
  const data = await expectAllowed<{ deployAutomation: Deployed }>(env.gw, token, DEPLOY, {
    org: String(org.organizationId),
    input: { name: `studio-automation-${++n}`, source: { studioProjectId }, ...extra },
  });
  return data.deployAutomation;
}

async function rowOf(id: string) {
  return env.gw.db.selectFrom('automationDeployments').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

async function codeOf(id: string) {
  const code = await deploymentCode(env.gw.db, await rowOf(id));
  if (!code) throw new Error(`deployment ${id} has no code`);
  return { ...code, document: JSON.parse(code.body.toString('utf8')) as StudioDocument };
}

beforeAll(async () => {
  env = await startClusterEnv('automatic');
  org = await createOrg(env.gw);
  tool = (
    await expectAllowed<{ createTool: { id: string } }>(
      env.gw,
      org.owner.token,
      'mutation($org: ID!) { createTool(organizationId: $org, input: { name: "search", kind: HTTP }) { id } }',
      { org: String(org.organizationId) },
    )
  ).createTool.id;
});
afterAll(async () => env.close());

describe('who may deploy a Studio project', () => {
  it.each([
    ['crews_dashboards READ and studio_projects MANAGE', { crews_dashboards: 'READ', studio_projects: 'MANAGE' } as const, null],
    ['crews_dashboards READ without studio_projects', { crews_dashboards: 'READ', studio_projects: 'NO_ACCESS' } as const, 'studio_projects: MANAGE'],
  ])('%s', async (_case, levels, missing) => {
    const actor = await addMember(env.gw, org.organizationId, await createRole(env.gw, org.organizationId, levels));
    const id = await project();
    if (missing === null) {
      expect((await deployStudio(actor.token, id)).status).toBe('DEPLOYED');
      return;
    }
    const before = await env.gw.db.selectFrom('automationDeployments').select('id').where('organizationId', '=', org.organizationId).execute();
    const denied = await expectDenied(
      env.gw,
      actor.token,
      DEPLOY,
      { org: String(org.organizationId), input: { name: 'refused', source: { studioProjectId: id } } },
      'FORBIDDEN',
    );
    expect(denied.errors[0]?.message).toContain(missing);
    expect(await env.gw.db.selectFrom('automationDeployments').select('id').where('organizationId', '=', org.organizationId).execute()).toHaveLength(
      before.length,
    );
  });
});

describe('what a deploy refuses', () => {
  it.each([
    ['a project without a definition', async () => project(false), 'BAD_USER_INPUT'],
    [
      "another organization's project",
      async () => {
        const other = await createOrg(env.gw);
        return (
          await expectAllowed<{ createStudioProject: { id: string } }>(env.gw, other.owner.token, PROJECT, {
            org: String(other.organizationId),
            input: { name: 'theirs' },
          })
        ).createStudioProject.id;
      },
      'NOT_FOUND',
    ],
  ])('%s', async (_case, make, code) => {
    await expectDenied(
      env.gw,
      org.owner.token,
      DEPLOY,
      { org: String(org.organizationId), input: { name: 'refused', source: { studioProjectId: await make() } } },
      code,
    );
  });

  it('a tool deleted since the definition was saved, naming its path', async () => {
    const gone = (
      await expectAllowed<{ createTool: { id: string } }>(
        env.gw,
        org.owner.token,
        'mutation($org: ID!) { createTool(organizationId: $org, input: { name: "short-lived", kind: HTTP }) { id } }',
        { org: String(org.organizationId) },
      )
    ).createTool.id;
    const id = await project();
    await expectAllowed(env.gw, org.owner.token, EDIT, {
      id,
      definition: { ...definition(), tasks: [{ key: 'research', description: 'd', agent: 'researcher', toolIds: [gone] }] },
    });
    await expectAllowed(env.gw, org.owner.token, 'mutation($id: ID!) { deleteTool(id: $id) }', { id: gone });
    const denied = await expectDenied(
      env.gw,
      org.owner.token,
      DEPLOY,
      { org: String(org.organizationId), input: { name: 'refused', source: { studioProjectId: id } } },
      'BAD_USER_INPUT',
    );
    expect(denied.errors[0]?.extensions?.path).toBe('tasks[0].toolIds[0]');
  });

  it('a source with a Studio project and another source at once', async () => {
    const repo = await connectRepo(env.gw, org.owner.token, org.organizationId);
    await expectDenied(
      env.gw,
      org.owner.token,
      DEPLOY,
      { org: String(org.organizationId), input: { name: 'both', source: { studioProjectId: await project(), gitRepoId: repo } } },
      'BAD_USER_INPUT',
    );
  });
});

describe('deploying a Studio project', () => {
  it('applies the objects, records sourceType STUDIO, and delivers the definition as JSON pinned by its SHA-256', async () => {
    const id = await project();
    const deployment = await deployStudio(org.owner.token, id);
    expect(deployment).toMatchObject({
      status: 'DEPLOYED',
      sourceType: 'STUDIO',
      studioProjectName: `studio-${n - 1}`,
      gitRepoFullName: null,
      archiveSha256: null,
    });
    expect(deployment.appliedObjects?.map((o) => o.kind)).toEqual(['Secret', 'Deployment', 'Service']);
    const { automationId } = await rowOf(deployment.id);
    const applied = env.stub.objects.deployments.get(`${SHARED_NAMESPACE}/automation-${automationId}`) as {
      spec: { template: { spec: { containers: Array<{ env: Array<{ name: string; value: string }> }> } } };
    };
    const vars = Object.fromEntries((applied.spec.template.spec.containers[0]?.env ?? []).map((e) => [e.name, e.value]));
    expect(vars.GATEHOUSE_SOURCE_DEFINITION_SHA256).toBe(deployment.studioDefinitionSha256);
    expect(Object.keys(vars).filter((name) => name.startsWith('GATEHOUSE_SOURCE_'))).toEqual(['GATEHOUSE_SOURCE_DEFINITION_SHA256']);

    const code = await codeOf(deployment.id);
    expect(code).toMatchObject({ source: 'studio', contentType: 'application/json', sha256: deployment.studioDefinitionSha256 });
    expect(crypto.createHash('sha256').update(code.body).digest('hex')).toBe(code.sha256);
    expect(code.document).toMatchObject({
      format: 'gatehouse.studio/v1',
      project: { id },
      process: 'SEQUENTIAL',
      tools: [{ id: tool, name: 'search', kind: 'HTTP' }],
    });
  });

  it('keeps the deployed snapshot when the project changes: redeploy and rollback reuse it, a new deploy takes the new one', async () => {
    const id = await project();
    const first = await deployStudio(org.owner.token, id);
    const { automationId, studioSnapshotId } = await rowOf(first.id);
    const original = await codeOf(first.id);

    await expectAllowed(env.gw, org.owner.token, EDIT, { id, definition: definition('Something else entirely') });
    expect((await codeOf(first.id)).body.equals(original.body)).toBe(true);

    const redeployed = (await expectAllowed<{ redeployAutomation: Deployed }>(env.gw, org.owner.token, AGAIN.redeploy, { id: automationId }))
      .redeployAutomation;
    expect(redeployed).toMatchObject({ version: 2, status: 'DEPLOYED', sourceType: 'STUDIO', studioDefinitionSha256: first.studioDefinitionSha256 });
    expect((await rowOf(redeployed.id)).studioSnapshotId).toBe(studioSnapshotId);

    const newer = await deployStudio(org.owner.token, id, { automationId });
    expect(newer.version).toBe(3);
    expect(newer.studioDefinitionSha256).not.toBe(first.studioDefinitionSha256);
    expect((await codeOf(newer.id)).document.agents[0]?.goal).toBe('Something else entirely');

    // Even with the project gone, a rollback runs version 1's snapshot.
    await expectAllowed(env.gw, org.owner.token, 'mutation($id: ID!) { deleteStudioProject(id: $id) }', { id });
    const rolled = (await expectAllowed<{ rollbackAutomation: Deployed }>(env.gw, org.owner.token, AGAIN.rollback, { id: automationId, v: 1 }))
      .rollbackAutomation;
    expect(rolled).toMatchObject({ version: 4, status: 'DEPLOYED', studioDefinitionSha256: first.studioDefinitionSha256 });
    expect((await codeOf(rolled.id)).body.equals(original.body)).toBe(true);
  });

  it.each(['redeploy', 'rollback'] as const)('%s of a Studio version re-checks studio_projects: MANAGE', async (action) => {
    const roleId = await createRole(env.gw, org.organizationId, { crews_dashboards: 'MANAGE', studio_projects: 'MANAGE' });
    const actor = await addMember(env.gw, org.organizationId, roleId);
    const { automationId } = await rowOf((await deployStudio(actor.token, await project())).id);
    await env.gw.db.updateTable('roles').set({ studioProjects: 'NO_ACCESS' }).where('id', '=', roleId).execute();
    const denied = await expectDenied(env.gw, actor.token, AGAIN[action], { id: automationId, v: 1 }, 'FORBIDDEN');
    expect(denied.errors[0]?.message).toMatch(
      /Mutation\.(redeploy|rollback)Automation \(redeploying the Studio definition of version 1\) needs studio_projects: MANAGE/,
    );
  });
});
