import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUDITED } from '../../src/modules/audit/audited-mutations.js';
import { grantInstanceAdmin } from '../../src/authz/instance-admins.repository.js';
import { DEPLOY } from '../support/automation-fixtures.js';
import { createOrg, jwtFor, type OrgFixture } from '../support/fixtures.js';
import { startTestGateway, type TestGateway } from '../support/harness.js';

// Issue 4 §7, for every audited mutation: one successful call writes exactly one entry, with the
// mutation's action. The steps run in order; each may use ids an earlier one produced.
let gw: TestGateway;
let org: OrgFixture;
const ids: Record<string, string> = {};
const JOINER = 'joiner@audit.example.com';

interface Step {
  mutation: keyof typeof AUDITED;
  query: string;
  variables: () => Record<string, unknown>;
  token?: () => Promise<string>;
  /** Keeps ids from the result for later steps. */
  keep?: (data: Record<string, unknown>) => void;
}

const o = () => String(org.organizationId);
const idOf = (field: string, key: string) => (data: Record<string, unknown>) => {
  const value = data[field];
  if (typeof value === 'object' && value !== null && 'id' in value && typeof value.id === 'string') ids[key] = value.id;
};

const STEPS: Step[] = [
  {
    mutation: 'createOrganization',
    query: 'mutation { createOrganization(input: { name: "Audited" }) { id } }',
    variables: () => ({}),
    token: () => jwtFor('founder@audit.example.com'),
  },
  {
    mutation: 'updateOrganizationSettings',
    query: 'mutation($o: ID!) { updateOrganizationSettings(organizationId: $o, input: { plan: TEAM }) { plan } }',
    variables: () => ({ o: o() }),
  },
  {
    mutation: 'updateOrganizationDefaults',
    query: 'mutation($o: ID!) { updateOrganizationDefaults(organizationId: $o, input: { defaultRunTimeoutSeconds: 60 }) { defaultRunTimeoutSeconds } }',
    variables: () => ({ o: o() }),
  },
  {
    mutation: 'updateUsageBudget',
    query: 'mutation($o: ID!) { updateUsageBudget(organizationId: $o, input: { alertThresholdPercent: 70 }) { alertThresholdPercent } }',
    variables: () => ({ o: o() }),
  },
  {
    mutation: 'createRole',
    query: 'mutation($o: ID!) { createRole(organizationId: $o, input: { name: "Audited role" }) { id } }',
    variables: () => ({ o: o() }),
    keep: idOf('createRole', 'role'),
  },
  {
    mutation: 'updateRole',
    query: 'mutation($id: ID!) { updateRole(id: $id, input: { features: [{ feature: tools, level: READ }] }) { id } }',
    variables: () => ({ id: ids.role }),
  },
  {
    mutation: 'inviteMember',
    query: 'mutation($o: ID!, $e: String!) { inviteMember(organizationId: $o, input: { email: $e }) { id } }',
    variables: () => ({ o: o(), e: 'someone@audit.example.com' }),
    keep: idOf('inviteMember', 'invitation'),
  },
  { mutation: 'revokeInvitation', query: 'mutation($id: ID!) { revokeInvitation(id: $id) { id } }', variables: () => ({ id: ids.invitation }) },
  {
    mutation: 'inviteMember',
    query: 'mutation($o: ID!, $e: String!) { inviteMember(organizationId: $o, input: { email: $e }) { id } }',
    variables: () => ({ o: o(), e: JOINER }),
    keep: idOf('inviteMember', 'joinerInvitation'),
  },
  {
    mutation: 'acceptInvitation',
    query: 'mutation($id: ID!) { acceptInvitation(id: $id) { role { id } } }',
    variables: () => ({ id: ids.joinerInvitation }),
    token: () => jwtFor(JOINER),
  },
  {
    mutation: 'updateMemberRole',
    query: 'mutation($o: ID!, $u: ID!, $r: ID!) { updateMemberRole(organizationId: $o, userId: $u, roleId: $r) { joinedAt } }',
    variables: () => ({ o: o(), u: ids.joiner, r: ids.role }),
  },
  {
    mutation: 'removeMember',
    query: 'mutation($o: ID!, $u: ID!) { removeMember(organizationId: $o, userId: $u) }',
    variables: () => ({ o: o(), u: ids.joiner }),
  },
  { mutation: 'deleteRole', query: 'mutation($id: ID!) { deleteRole(id: $id) }', variables: () => ({ id: ids.role }) },
  {
    mutation: 'createServiceAccount',
    query: 'mutation($o: ID!, $r: ID!) { createServiceAccount(organizationId: $o, input: { name: "audited partner", roleId: $r }) { id } }',
    variables: () => ({ o: o(), r: org.memberRoleId }),
    keep: idOf('createServiceAccount', 'sa'),
  },
  {
    mutation: 'createApiToken',
    query: 'mutation($o: ID!) { createApiToken(organizationId: $o, input: { name: "audited" }) { apiToken { id } } }',
    variables: () => ({ o: o() }),
    keep: (d) => {
      const t = d.createApiToken;
      if (typeof t === 'object' && t !== null && 'apiToken' in t) idOf('apiToken', 'token')(t);
    },
  },
  { mutation: 'revokeApiToken', query: 'mutation($id: ID!) { revokeApiToken(id: $id) { id } }', variables: () => ({ id: ids.token }) },
  { mutation: 'disableServiceAccount', query: 'mutation($id: ID!) { disableServiceAccount(id: $id) { id } }', variables: () => ({ id: ids.sa }) },
  {
    mutation: 'createEnvVar',
    query: 'mutation($o: ID!) { createEnvVar(organizationId: $o, input: { name: "AUDITED", value: "v1" }) { id } }',
    variables: () => ({ o: o() }),
    keep: idOf('createEnvVar', 'env'),
  },
  { mutation: 'updateEnvVar', query: 'mutation($id: ID!) { updateEnvVar(id: $id, input: { value: "v2" }) { id } }', variables: () => ({ id: ids.env }) },
  { mutation: 'setEnvVarAccess', query: 'mutation($id: ID!) { setEnvVarAccess(id: $id, access: []) { id } }', variables: () => ({ id: ids.env }) },
  { mutation: 'deleteEnvVar', query: 'mutation($id: ID!) { deleteEnvVar(id: $id) }', variables: () => ({ id: ids.env }) },
  {
    mutation: 'createLLMConnection',
    query: 'mutation($o: ID!) { createLLMConnection(organizationId: $o, input: { name: "audited", provider: OPENAI, apiKey: "sk-audited-123456" }) { id } }',
    variables: () => ({ o: o() }),
    keep: idOf('createLLMConnection', 'llm'),
  },
  {
    mutation: 'updateLLMConnection',
    query: 'mutation($id: ID!) { updateLLMConnection(id: $id, input: { apiKey: "sk-audited-654321" }) { id } }',
    variables: () => ({ id: ids.llm }),
  },
  {
    mutation: 'setLLMConnectionAccess',
    query: 'mutation($id: ID!) { setLLMConnectionAccess(id: $id, access: null) { id } }',
    variables: () => ({ id: ids.llm }),
  },
  { mutation: 'deleteLLMConnection', query: 'mutation($id: ID!) { deleteLLMConnection(id: $id) }', variables: () => ({ id: ids.llm }) },
  {
    mutation: 'connectGitRepo',
    query: 'mutation($o: ID!) { connectGitRepo(organizationId: $o, input: { fullName: "audit/repo" }) { id } }',
    variables: () => ({ o: o() }),
    keep: idOf('connectGitRepo', 'repo'),
  },
  { mutation: 'setGitRepoAccess', query: 'mutation($id: ID!) { setGitRepoAccess(id: $id, access: []) { id } }', variables: () => ({ id: ids.repo }) },
  {
    mutation: 'setGitRepoReadCredential',
    query: 'mutation($id: ID!) { setGitRepoReadCredential(id: $id, credential: { accessToken: "ghp_audited123456" }) { hasReadCredential } }',
    variables: () => ({ id: ids.repo }),
  },
  // Registered before the deploy, whose deployment.finished becomes its delivery (a public address needs no DNS).
  {
    mutation: 'createWebhook',
    query:
      'mutation($o: ID!) { createWebhook(organizationId: $o, input: { url: "https://93.184.215.14/audit", events: [DEPLOYMENT_FINISHED] }) { webhook { id } } }',
    variables: () => ({ o: o() }),
    keep: (d) => {
      const w = d.createWebhook;
      if (typeof w === 'object' && w !== null && 'webhook' in w) idOf('webhook', 'webhook')(w);
    },
  },
  { mutation: 'deployAutomation', query: DEPLOY, variables: () => ({ org: o(), input: { name: 'audited automation', source: { gitRepoId: ids.repo } } }) },
  {
    mutation: 'updateAutomation',
    query: 'mutation($id: ID!) { updateAutomation(id: $id, input: { description: "audited" }) { id } }',
    variables: () => ({ id: ids.automation }),
  },
  {
    mutation: 'setAutomationAccess',
    query: 'mutation($id: ID!) { setAutomationAccess(id: $id, visibility: PRIVATE, access: []) { id } }',
    variables: () => ({ id: ids.automation }),
  },
  { mutation: 'redeployAutomation', query: 'mutation($id: ID!) { redeployAutomation(id: $id) { id } }', variables: () => ({ id: ids.automation }) },
  {
    mutation: 'rollbackAutomation',
    query: 'mutation($id: ID!) { rollbackAutomation(id: $id, toVersion: 1) { id } }',
    variables: () => ({ id: ids.automation }),
  },
  // Without a cluster no version is DEPLOYED: the run is recorded FAILED, and audited all the same.
  {
    mutation: 'runAutomation',
    query: 'mutation($id: ID!) { runAutomation(id: $id, inputs: { topic: "audit" }) { id status } }',
    variables: () => ({ id: ids.automation }),
  },
  { mutation: 'deleteAutomation', query: 'mutation($id: ID!) { deleteAutomation(id: $id) { id } }', variables: () => ({ id: ids.automation }) },
  { mutation: 'disconnectGitRepo', query: 'mutation($id: ID!) { disconnectGitRepo(id: $id) }', variables: () => ({ id: ids.repo }) },
  { mutation: 'enableWebhook', query: 'mutation($id: ID!) { enableWebhook(id: $id) { id } }', variables: () => ({ id: ids.webhook }) },
  { mutation: 'replayWebhookDelivery', query: 'mutation($id: ID!) { replayWebhookDelivery(id: $id) { id } }', variables: () => ({ id: ids.delivery }) },
  {
    mutation: 'replayFailedWebhookDeliveries',
    query: 'mutation($id: ID!, $since: DateTime!) { replayFailedWebhookDeliveries(webhookId: $id, since: $since) }',
    variables: () => ({ id: ids.webhook, since: '2026-01-01T00:00:00Z' }),
  },
  { mutation: 'deleteWebhook', query: 'mutation($id: ID!) { deleteWebhook(id: $id) }', variables: () => ({ id: ids.webhook }) },
  {
    mutation: 'setFeatureFlag',
    query: 'mutation($o: ID!) { setFeatureFlag(name: "k8s_namespace_isolation", enabled: true, organizationId: $o) { name } }',
    variables: () => ({ o: o() }),
  },
];

beforeAll(async () => {
  gw = await startTestGateway();
  org = await createOrg(gw);
  await grantInstanceAdmin(gw.db, org.owner.userId ?? '');
});
afterAll(async () => gw.close());

async function entries(): Promise<Array<{ id: string; action: string }>> {
  return gw.db.selectFrom('auditLog').select(['id', 'action']).execute();
}

describe('every audited mutation writes exactly one entry', () => {
  it('has a step for every audited mutation', () => {
    expect(new Set(STEPS.map((s) => s.mutation))).toEqual(new Set(Object.keys(AUDITED)));
  });

  it.each(STEPS.map((step, i) => [i, step.mutation, step] as const))('step %i: %s', async (_i, mutation, step) => {
    const before = new Set((await entries()).map((e) => e.id));
    const response = await gw.gql(step.token ? await step.token() : org.owner.token, step.query, step.variables());
    expect(response.errors).toEqual([]);
    step.keep?.(response.data ?? {});
    if (mutation === 'acceptInvitation') {
      ids.joiner = (await gw.db.selectFrom('users').select('id').where('email', '=', JOINER).executeTakeFirstOrThrow()).id;
    }
    if (mutation === 'deployAutomation') {
      ids.automation = (await gw.db.selectFrom('automations').select('id').where('organizationId', '=', org.organizationId).executeTakeFirstOrThrow()).id;
      ids.delivery = (
        await gw.db
          .selectFrom('webhookDeliveries')
          .select('id')
          .where('webhookId', '=', ids.webhook ?? '')
          .executeTakeFirstOrThrow()
      ).id;
    }
    const added = (await entries()).filter((e) => !before.has(e.id));
    expect(added.map((e) => e.action)).toEqual([AUDITED[mutation]?.action]);
  });
});
