import { isObjectType } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildExecutableSchema } from '../../src/graphql/schema.js';
import { insertHitlRequest } from '../../src/modules/hitl/hitl.repository.js';
import { addMember, addServiceAccount, createOrg, createRole, jwtFor, type OrgFixture } from '../support/fixtures.js';
import { expectAllowed } from '../support/expect.js';
import { connectRepo, DEPLOY, deployNew, storeArchive } from '../support/automation-fixtures.js';
import { startTestGateway, type TestGateway } from '../support/harness.js';

// SPEC §1 "Cross-tenant": an id of another organization behaves exactly like an id that does not
// exist. The Owner of organization A (every permission there) aims every id-taking operation at
// organization B's objects; each answer must be NOT_FOUND, with the message a random id gets.

let gw: TestGateway;
let a: OrgFixture;
let b: OrgFixture;
const ids: Record<string, string> = {};
const RANDOM_UUID = '00000000-0000-4000-8000-000000000000';

async function make<T>(token: string, query: string, variables: Record<string, unknown>, pick: (data: T) => string): Promise<string> {
  return pick(await expectAllowed<T>(gw, token, query, variables));
}

beforeAll(async () => {
  gw = await startTestGateway();
  a = await createOrg(gw);
  b = await createOrg(gw);
  const bt = b.owner.token;
  const org = String(b.organizationId);
  ids.tool = await make<{ createTool: { id: string } }>(
    bt,
    'mutation($o: ID!) { createTool(organizationId: $o, input: { name: "t", kind: HTTP }) { id } }',
    { o: org },
    (d) => d.createTool.id,
  );
  ids.agent = await make<{ createAgent: { id: string } }>(
    bt,
    'mutation($o: ID!) { createAgent(organizationId: $o, input: { name: "a" }) { id } }',
    { o: org },
    (d) => d.createAgent.id,
  );
  ids.studioProject = await make<{ createStudioProject: { id: string } }>(
    bt,
    'mutation($o: ID!) { createStudioProject(organizationId: $o, input: { name: "s" }) { id } }',
    { o: org },
    (d) => d.createStudioProject.id,
  );
  ids.trainingRun = await make<{ startTrainingRun: { id: string } }>(
    bt,
    'mutation($o: ID!) { startTrainingRun(organizationId: $o, input: { name: "r", iterations: 2 }) { id } }',
    { o: org },
    (d) => d.startTrainingRun.id,
  );
  ids.envVar = await make<{ createEnvVar: { id: string } }>(
    bt,
    'mutation($o: ID!) { createEnvVar(organizationId: $o, input: { name: "B_SECRET", value: "b-value" }) { id } }',
    { o: org },
    (d) => d.createEnvVar.id,
  );
  ids.llm = await make<{ createLLMConnection: { id: string } }>(
    bt,
    'mutation($o: ID!) { createLLMConnection(organizationId: $o, input: { name: "l", provider: OPENAI, apiKey: "sk-b-secret-key-123456" }) { id } }',
    { o: org },
    (d) => d.createLLMConnection.id,
  );
  ids.gitRepo = await make<{ connectGitRepo: { id: string } }>(
    bt,
    'mutation($o: ID!) { connectGitRepo(organizationId: $o, input: { fullName: "b/repo" }) { id } }',
    { o: org },
    (d) => d.connectGitRepo.id,
  );
  ids.invitation = await make<{ inviteMember: { id: string } }>(
    bt,
    'mutation($o: ID!) { inviteMember(organizationId: $o, input: { email: "guest@example.com" }) { id } }',
    { o: org },
    (d) => d.inviteMember.id,
  );
  ids.role = await createRole(gw, b.organizationId, { tools: 'READ' });
  ids.serviceAccount = (await addServiceAccount(gw, b.organizationId, ids.role)).serviceAccountId ?? '';
  ids.member = (await addMember(gw, b.organizationId, b.memberRoleId)).userId ?? '';
  ids.apiToken = (await gw.db.selectFrom('apiTokens').select('id').where('organizationId', '=', b.organizationId).executeTakeFirstOrThrow()).id;
  ids.aMember = (await addMember(gw, a.organizationId, a.memberRoleId)).userId ?? '';
  ids.automation = (await deployNew(gw, bt, b.organizationId, ids.gitRepo)).automationId;
  // B's webhook, registered before B's run: the run (FAILED, no cluster here) gives it a delivery.
  ids.webhook = await make<{ createWebhook: { webhook: { id: string } } }>(
    bt,
    'mutation($o: ID!) { createWebhook(organizationId: $o, input: { url: "https://93.184.215.14/b", events: [EXECUTION_FINISHED] }) { webhook { id } } }',
    { o: org },
    (d) => d.createWebhook.webhook.id,
  );
  ids.execution = await make<{ runAutomation: { id: string } }>(
    bt,
    'mutation($id: ID!) { runAutomation(id: $id) { id } }',
    { id: ids.automation },
    (d) => d.runAutomation.id,
  );
  const bDeployment = await gw.db.selectFrom('automationDeployments').select('id').where('automationId', '=', ids.automation).executeTakeFirstOrThrow();
  ids.hitlRequest = (
    await insertHitlRequest(gw.db, { organizationId: b.organizationId, automationId: ids.automation, deploymentId: bDeployment.id, question: 'B only?' }, 3600)
  ).id;
  ids.archive = (await storeArchive(gw, b.organizationId)).id;
  ids.delivery = (await gw.db.selectFrom('webhookDeliveries').select('id').where('webhookId', '=', ids.webhook).executeTakeFirstOrThrow()).id;
  ids.aRepo = await connectRepo(gw, a.owner.token, a.organizationId);
  ids.aEnvVar = await make<{ createEnvVar: { id: string } }>(
    a.owner.token,
    'mutation($o: ID!) { createEnvVar(organizationId: $o, input: { name: "A_VAR", value: "a" }) { id } }',
    { o: String(a.organizationId) },
    (d) => d.createEnvVar.id,
  );
});
afterAll(async () => gw.close());

interface Probe {
  field: string;
  query: string;
  /** Variables aimed at organization B; `id` is the id that must read as nonexistent. */
  variables: () => Record<string, unknown>;
  id: () => string;
}

const orgA = () => String(a.organizationId);
const byId = (field: string, key: string, selection = ''): Probe => ({
  field,
  query: `mutation($id: ID!) { ${field}(id: $id)${selection} }`,
  variables: () => ({ id: ids[key] }),
  id: () => ids[key] ?? '',
});
const withInput = (field: string, key: string, input: string, selection = ' { id }'): Probe => ({
  field,
  query: `mutation($id: ID!) { ${field}(id: $id, input: ${input})${selection} }`,
  variables: () => ({ id: ids[key] }),
  id: () => ids[key] ?? '',
});

const PROBES: Probe[] = [
  {
    field: 'Query.organization',
    query: 'query($id: ID!) { organization(id: $id) { name } }',
    variables: () => ({ id: String(b.organizationId) }),
    id: () => String(b.organizationId),
  },
  {
    field: 'Organization.tool',
    query: 'query($o: ID!, $id: ID!) { organization(id: $o) { tool(id: $id) { name } } }',
    variables: () => ({ o: orgA(), id: ids.tool }),
    id: () => ids.tool ?? '',
  },
  withInput('updateTool', 'tool', '{ name: "stolen" }'),
  byId('deleteTool', 'tool'),
  withInput('updateAgent', 'agent', '{ name: "stolen" }'),
  byId('deleteAgent', 'agent'),
  withInput('updateStudioProject', 'studioProject', '{ name: "stolen" }'),
  byId('deleteStudioProject', 'studioProject'),
  byId('cancelTrainingRun', 'trainingRun', ' { id }'),
  withInput('updateEnvVar', 'envVar', '{ value: "stolen" }'),
  byId('deleteEnvVar', 'envVar'),
  {
    field: 'setEnvVarAccess',
    query: 'mutation($id: ID!) { setEnvVarAccess(id: $id, access: []) { id } }',
    variables: () => ({ id: ids.envVar }),
    id: () => ids.envVar ?? '',
  },
  withInput('updateLLMConnection', 'llm', '{ name: "stolen" }'),
  byId('deleteLLMConnection', 'llm'),
  {
    field: 'setLLMConnectionAccess',
    query: 'mutation($id: ID!) { setLLMConnectionAccess(id: $id, access: []) { id } }',
    variables: () => ({ id: ids.llm }),
    id: () => ids.llm ?? '',
  },
  byId('disconnectGitRepo', 'gitRepo'),
  {
    field: 'setGitRepoAccess',
    query: 'mutation($id: ID!) { setGitRepoAccess(id: $id, access: []) { id } }',
    variables: () => ({ id: ids.gitRepo }),
    id: () => ids.gitRepo ?? '',
  },
  {
    field: 'setGitRepoReadCredential',
    query: 'mutation($id: ID!) { setGitRepoReadCredential(id: $id, credential: { accessToken: "ghp_stolen" }) { id } }',
    variables: () => ({ id: ids.gitRepo }),
    id: () => ids.gitRepo ?? '',
  },
  byId('revokeInvitation', 'invitation', ' { id }'),
  withInput('updateRole', 'role', '{ name: "stolen" }'),
  byId('deleteRole', 'role'),
  byId('disableServiceAccount', 'serviceAccount', ' { id }'),
  byId('revokeApiToken', 'apiToken', ' { id }'),
  {
    field: 'updateMemberRole (user of B)',
    query: 'mutation($o: ID!, $u: ID!, $r: ID!) { updateMemberRole(organizationId: $o, userId: $u, roleId: $r) { joinedAt } }',
    variables: () => ({ o: orgA(), u: ids.member, r: a.memberRoleId }),
    id: () => ids.member ?? '',
  },
  {
    field: 'updateMemberRole (role of B)',
    query: 'mutation($o: ID!, $u: ID!, $r: ID!) { updateMemberRole(organizationId: $o, userId: $u, roleId: $r) { joinedAt } }',
    variables: () => ({ o: orgA(), u: ids.aMember, r: ids.role }),
    id: () => ids.role ?? '',
  },
  {
    field: 'removeMember',
    query: 'mutation($o: ID!, $u: ID!) { removeMember(organizationId: $o, userId: $u) }',
    variables: () => ({ o: orgA(), u: ids.member }),
    id: () => ids.member ?? '',
  },
  {
    field: 'setEnvVarAccess (user of B)',
    query: 'mutation($id: ID!, $u: ID!) { setEnvVarAccess(id: $id, access: [{ principalType: USER, principalId: $u }]) { id } }',
    variables: () => ({ id: ids.aEnvVar, u: ids.member }),
    id: () => ids.member ?? '',
  },
  {
    field: 'setEnvVarAccess (role of B)',
    query: 'mutation($id: ID!, $r: ID!) { setEnvVarAccess(id: $id, access: [{ principalType: ROLE, principalId: $r }]) { id } }',
    variables: () => ({ id: ids.aEnvVar, r: ids.role }),
    id: () => ids.role ?? '',
  },
  {
    field: 'createApiToken (service account of B)',
    query: 'mutation($o: ID!, $s: ID!) { createApiToken(organizationId: $o, input: { name: "x", serviceAccountId: $s }) { secret } }',
    variables: () => ({ o: orgA(), s: ids.serviceAccount }),
    id: () => ids.serviceAccount ?? '',
  },
  {
    field: 'startTrainingRun (agent of B)',
    query: 'mutation($o: ID!, $ag: ID!) { startTrainingRun(organizationId: $o, input: { name: "x", iterations: 1, agentId: $ag }) { id } }',
    variables: () => ({ o: orgA(), ag: ids.agent }),
    id: () => ids.agent ?? '',
  },
  {
    field: 'updateOrganizationDefaults (LLM connection of B)',
    query: 'mutation($o: ID!, $l: ID!) { updateOrganizationDefaults(organizationId: $o, input: { defaultLlmConnectionId: $l }) { defaultLlmConnectionId } }',
    variables: () => ({ o: orgA(), l: ids.llm }),
    id: () => ids.llm ?? '',
  },
  {
    field: 'Organization.automation',
    query: 'query($o: ID!, $id: ID!) { organization(id: $o) { automation(id: $id) { name } } }',
    variables: () => ({ o: orgA(), id: ids.automation }),
    id: () => ids.automation ?? '',
  },
  withInput('updateAutomation', 'automation', '{ name: "stolen" }'),
  {
    field: 'setAutomationAccess',
    query: 'mutation($id: ID!) { setAutomationAccess(id: $id, visibility: ORGANIZATION, access: []) { id } }',
    variables: () => ({ id: ids.automation }),
    id: () => ids.automation ?? '',
  },
  byId('redeployAutomation', 'automation', ' { id }'),
  {
    field: 'rollbackAutomation',
    query: 'mutation($id: ID!) { rollbackAutomation(id: $id, toVersion: 1) { id } }',
    variables: () => ({ id: ids.automation }),
    id: () => ids.automation ?? '',
  },
  byId('deleteAutomation', 'automation', ' { id }'),
  byId('runAutomation', 'automation', ' { id }'),
  {
    field: 'Organization.execution',
    query: 'query($o: ID!, $id: ID!) { organization(id: $o) { execution(id: $id) { status } } }',
    variables: () => ({ o: orgA(), id: ids.execution }),
    id: () => ids.execution ?? '',
  },
  {
    field: 'answerHitlRequest',
    query: 'mutation($id: ID!) { answerHitlRequest(id: $id, answer: { approved: true }) { id } }',
    variables: () => ({ id: ids.hitlRequest }),
    id: () => ids.hitlRequest ?? '',
  },
  byId('retryHitlForward', 'hitlRequest', ' { id }'),
  {
    field: 'deployAutomation (automation of B)',
    query: DEPLOY,
    variables: () => ({ org: orgA(), input: { automationId: ids.automation, source: { gitRepoId: ids.aRepo } } }),
    id: () => ids.automation ?? '',
  },
  {
    field: 'deployAutomation (repository of B)',
    query: DEPLOY,
    variables: () => ({ org: orgA(), input: { name: 'x', source: { gitRepoId: ids.gitRepo } } }),
    id: () => ids.gitRepo ?? '',
  },
  {
    field: 'deployAutomation (archive of B)',
    query: DEPLOY,
    variables: () => ({ org: orgA(), input: { name: 'x', source: { archiveId: ids.archive } } }),
    id: () => ids.archive ?? '',
  },
  {
    field: 'deployAutomation (env var of B)',
    query: DEPLOY,
    variables: () => ({ org: orgA(), input: { name: 'x', source: { gitRepoId: ids.aRepo }, envVarIds: [ids.envVar] } }),
    id: () => ids.envVar ?? '',
  },
  {
    field: 'deployAutomation (LLM connection of B)',
    query: DEPLOY,
    variables: () => ({ org: orgA(), input: { name: 'x', source: { gitRepoId: ids.aRepo }, llmConnectionId: ids.llm } }),
    id: () => ids.llm ?? '',
  },
  {
    field: 'inviteMember (role of B)',
    query: 'mutation($o: ID!, $r: ID!) { inviteMember(organizationId: $o, input: { email: "x@example.com", roleId: $r }) { id } }',
    variables: () => ({ o: orgA(), r: ids.role }),
    id: () => ids.role ?? '',
  },
  {
    field: 'Organization.webhook',
    query: 'query($o: ID!, $id: ID!) { organization(id: $o) { webhook(id: $id) { url } } }',
    variables: () => ({ o: orgA(), id: ids.webhook }),
    id: () => ids.webhook ?? '',
  },
  {
    field: 'Organization.webhookDelivery',
    query: 'query($o: ID!, $id: ID!) { organization(id: $o) { webhookDelivery(id: $id) { id } } }',
    variables: () => ({ o: orgA(), id: ids.delivery }),
    id: () => ids.delivery ?? '',
  },
  { field: 'deleteWebhook', query: 'mutation($id: ID!) { deleteWebhook(id: $id) }', variables: () => ({ id: ids.webhook }), id: () => ids.webhook ?? '' },
  byId('enableWebhook', 'webhook', ' { id }'),
  byId('replayWebhookDelivery', 'delivery', ' { id }'),
  {
    field: 'replayFailedWebhookDeliveries',
    query: 'mutation($id: ID!) { replayFailedWebhookDeliveries(webhookId: $id, since: "2026-01-01T00:00:00Z") }',
    variables: () => ({ id: ids.webhook }),
    id: () => ids.webhook ?? '',
  },
  {
    field: 'createServiceAccount (role of B)',
    query: 'mutation($o: ID!, $r: ID!) { createServiceAccount(organizationId: $o, input: { name: "x", roleId: $r }) { id } }',
    variables: () => ({ o: orgA(), r: ids.role }),
    id: () => ids.role ?? '',
  },
];

// Organization-scoped mutations (organizationId of B) are covered generically below.
const ORG_SCOPED = [
  ['createTool', '{ name: "x", kind: HTTP }'],
  ['createAgent', '{ name: "x" }'],
  ['createStudioProject', '{ name: "x" }'],
  ['startTrainingRun', '{ name: "x", iterations: 1 }'],
  ['createEnvVar', '{ name: "X", value: "x" }'],
  ['createLLMConnection', '{ name: "x", provider: OPENAI, apiKey: "sk-xxxxxxxxxxxx" }'],
  ['connectGitRepo', '{ fullName: "x/y" }'],
  ['inviteMember', '{ email: "x@example.com" }'],
  ['createRole', '{ name: "x" }'],
  ['createServiceAccount', '{ name: "x", roleId: "ROLE" }'],
  ['createApiToken', '{ name: "x" }'],
  ['updateOrganizationSettings', '{ entityRbac: true }'],
  ['updateOrganizationDefaults', '{ defaultRunTimeoutSeconds: 5 }'],
  ['updateUsageBudget', '{ alertThresholdPercent: 5 }'],
  ['deployAutomation', '{ name: "x", source: { gitRepoId: "REPO" } }'],
  ['createWebhook', '{ url: "https://93.184.215.14/x", events: [DEPLOYMENT_FINISHED] }'],
] as const;

function sameAsNonexistent(message: string, id: string): string {
  return message.replace(id, '<id>');
}

describe('cross-tenant ids read as nonexistent (SPEC §1)', () => {
  it.each(PROBES)('$field', async (probe) => {
    const response = await gw.gql(a.owner.token, probe.query, probe.variables());
    expect(response.errors.map((e) => e.extensions?.code)).toEqual(['NOT_FOUND']);
    expect(response.raw).not.toMatch(/b-value|sk-b-secret|B_SECRET/);
    const withRandomId = JSON.parse(JSON.stringify(probe.variables()).split(probe.id()).join(RANDOM_UUID)) as Record<string, unknown>;
    const random = await gw.gql(a.owner.token, probe.query, withRandomId);
    expect(random.errors.map((e) => e.extensions?.code)).toEqual(['NOT_FOUND']);
    expect(sameAsNonexistent(response.errors[0]?.message ?? '', probe.id())).toBe(sameAsNonexistent(random.errors[0]?.message ?? '', RANDOM_UUID));
  });

  it.each(ORG_SCOPED)('%s with organization B is NOT_FOUND', async (field, input) => {
    const response = await gw.gql(
      a.owner.token,
      `mutation($o: ID!) { ${field}(organizationId: $o, input: ${input.replace('ROLE', ids.role ?? '').replace('REPO', ids.gitRepo ?? '')}) { __typename } }`,
      { o: String(b.organizationId) },
    );
    expect(response.errors.map((e) => e.extensions?.code)).toEqual(['NOT_FOUND']);
  });

  it.each(['0', '-1', 'abc', "1' or '1'='1", '99999999999999999999', '', '1e3', RANDOM_UUID])(
    'malformed organization id %j is NOT_FOUND, not an error',
    async (id) => {
      const response = await gw.gql(a.owner.token, 'query($id: ID!) { organization(id: $id) { name } }', { id });
      expect(response.errors.map((e) => e.extensions?.code)).toEqual(['NOT_FOUND']);
    },
  );

  it.each(['abc', "x' or 1=1 --", '123', RANDOM_UUID.toUpperCase().replace('0', 'G')])('malformed entity id %j is NOT_FOUND, not an error', async (id) => {
    const response = await gw.gql(a.owner.token, 'mutation($id: ID!) { deleteTool(id: $id) }', { id });
    expect(response.errors.map((e) => e.extensions?.code)).toEqual(['NOT_FOUND']);
  });

  it('nothing of B was changed by the probes', async () => {
    const data = await expectAllowed<{ organization: { tools: { totalCount: number }; envVars: { edges: Array<{ node: { value: string } }> } } }>(
      gw,
      b.owner.token,
      'query($id: ID!) { organization(id: $id) { tools { totalCount } envVars { edges { node { value } } } } }',
      { id: String(b.organizationId) },
    );
    expect(data.organization.tools.totalCount).toBe(1);
    expect(data.organization.envVars.edges.map((e) => e.node.value)).toEqual(['b-value']);
  });

  it('another user cannot accept an invitation addressed to someone else', async () => {
    const response = await gw.gql(await jwtFor('not-the-guest@example.com'), 'mutation($id: ID!) { acceptInvitation(id: $id) { role { name } } }', {
      id: ids.invitation,
    });
    expect(response.errors.map((e) => e.extensions?.code)).toEqual(['NOT_FOUND']);
  });

  it('covers every id-taking field of the schema', () => {
    const schema = buildExecutableSchema();
    // setFeatureFlag is for instance administrators only (test/feature-flags).
    const covered = new Set([
      ...PROBES.map((p) => p.field.split(' ')[0]?.replace(/^Query\.|^Organization\./, '')),
      ...ORG_SCOPED.map(([f]) => f),
      'acceptInvitation',
      'setFeatureFlag',
    ]);
    const idTaking: string[] = [];
    for (const type of [schema.getQueryType(), schema.getMutationType(), schema.getType('Organization')]) {
      if (!type || !isObjectType(type)) continue;
      for (const field of Object.values(type.getFields())) {
        if (field.args.some((arg) => String(arg.type).startsWith('ID'))) idTaking.push(field.name);
      }
    }
    expect(idTaking.length).toBeGreaterThan(30);
    expect(idTaking.filter((name) => !covered.has(name))).toEqual([]);
  });
});
