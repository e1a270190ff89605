import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectRepo, deployNew } from '../support/automation-fixtures.js';
import { expectAllowed, expectDenied } from '../support/expect.js';
import { addMember, createOrg, createRole, type Actor, type OrgFixture } from '../support/fixtures.js';
import { startTestGateway, type TestGateway } from '../support/harness.js';

// Issue 13 item 2 §3 (SPEC §4): redeploy and rollback re-attach an earlier version's env vars and
// LLM connection, so besides manage_settings the caller must still pass the checks deployAutomation
// makes for them ("set environment variables", "configure LLM keys"). Each row: how the caller
// loses access after deploying, and what the FORBIDDEN says is missing.
const MUTATIONS = {
  redeployAutomation: 'mutation($id: ID!) { redeployAutomation(id: $id) { version } }',
  rollbackAutomation: 'mutation($id: ID!) { rollbackAutomation(id: $id, toVersion: 1) { version } }',
} as const;

interface Setup {
  gw: TestGateway;
  org: OrgFixture;
  deployer: Actor;
  roleId: string;
  envVarId: string;
  llmId: string;
}

interface Loss {
  loss: string;
  take: (s: Setup) => Promise<void>;
  says: RegExp;
}

const orgSettings = (s: Setup, input: string) =>
  expectAllowed(s.gw, s.org.owner.token, `mutation($o: ID!) { updateOrganizationSettings(organizationId: $o, input: { ${input} }) { __typename } }`, {
    o: String(s.org.organizationId),
  });
const level = async (s: Setup, feature: string, value: string): Promise<void> => {
  await expectAllowed(
    s.gw,
    s.org.owner.token,
    `mutation($id: ID!) { updateRole(id: $id, input: { features: [{ feature: ${feature}, level: ${value} }] }) { id } }`,
    { id: s.roleId },
  );
};

const LOSSES: Loss[] = [
  {
    loss: 'environment_variables: MANAGE',
    take: (s) => level(s, 'environment_variables', 'NO_ACCESS'),
    says: /\(re-attaching the env vars of version \d+\) needs environment_variables: MANAGE; your role has NO_ACCESS/,
  },
  {
    loss: "the env var's access list (entity RBAC)",
    take: async (s) => {
      await expectAllowed(s.gw, s.org.owner.token, 'mutation($id: ID!) { setEnvVarAccess(id: $id, access: []) { id } }', { id: s.envVarId });
      await orgSettings(s, 'entityRbac: true');
    },
    says: /version \d+ attaches env vars you may no longer use \(RECHECKED_SECRET\)/,
  },
  {
    loss: 'llm_connections: MANAGE',
    take: (s) => level(s, 'llm_connections', 'NO_ACCESS'),
    says: /\(re-attaching the LLM connection of version \d+\) needs llm_connections: MANAGE; your role has NO_ACCESS/,
  },
  {
    loss: "the LLM connection's access list (entity RBAC)",
    take: async (s) => {
      await expectAllowed(s.gw, s.org.owner.token, 'mutation($id: ID!) { setLLMConnectionAccess(id: $id, access: []) { id } }', { id: s.llmId });
      await orgSettings(s, 'entityRbac: true');
    },
    says: /version \d+ attaches LLM connection [0-9a-f-]{36}, which you may no longer use/,
  },
];

let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway();
});
afterAll(async () => gw.close());

/** A fresh organization (entity RBAC is organization-wide) and a member who deployed with both attachments. */
async function setup(): Promise<Setup & { automationId: string }> {
  const org = await createOrg(gw);
  const roleId = await createRole(gw, org.organizationId, { crews_dashboards: 'MANAGE', environment_variables: 'MANAGE', llm_connections: 'MANAGE' });
  const deployer = await addMember(gw, org.organizationId, roleId);
  const repo = await connectRepo(gw, org.owner.token, org.organizationId);
  const o = String(org.organizationId);
  const envVarId = (
    await expectAllowed<{ createEnvVar: { id: string } }>(
      gw,
      org.owner.token,
      'mutation($o: ID!) { createEnvVar(organizationId: $o, input: { name: "RECHECKED_SECRET", value: "v" }) { id } }',
      { o },
    )
  ).createEnvVar.id;
  const llmId = (
    await expectAllowed<{ createLLMConnection: { id: string } }>(
      gw,
      org.owner.token,
      'mutation($o: ID!) { createLLMConnection(organizationId: $o, input: { name: "rechecked", provider: OPENAI, apiKey: "sk-rechecked-123456" }) { id } }',
      { o },
    )
  ).createLLMConnection.id;
  const { automationId } = await deployNew(gw, deployer.token, org.organizationId, repo, { envVarIds: [envVarId], llmConnectionId: llmId });
  return { gw, org, deployer, roleId, envVarId, llmId, automationId };
}

const versions = (automationId: string) => gw.db.selectFrom('automationDeployments').select('version').where('automationId', '=', automationId).execute();

describe.each(Object.entries(MUTATIONS))('%s re-checks the attachments it re-attaches', (name, mutation) => {
  it.each(LOSSES)('after losing $loss: FORBIDDEN naming it, and no version recorded', async ({ take, says }) => {
    const s = await setup();
    // The allowed twin: with access, the same call by the same caller goes through.
    await expectAllowed(gw, s.deployer.token, mutation, { id: s.automationId });
    await take(s);
    const before = await versions(s.automationId);
    const denied = await expectDenied(gw, s.deployer.token, mutation, { id: s.automationId }, 'FORBIDDEN');
    expect(denied.errors[0]?.message).toMatch(new RegExp(`^Mutation\\.${name}`));
    expect(denied.errors[0]?.message).toMatch(says);
    expect(await versions(s.automationId)).toHaveLength(before.length);
    // An Owner passes every check (SPEC §3 rule 1) and may still redeploy.
    await expectAllowed(gw, s.org.owner.token, mutation, { id: s.automationId });
  });

  it('an attachment deleted since is left out, as before', async () => {
    const s = await setup();
    await expectAllowed(gw, s.org.owner.token, 'mutation($id: ID!) { deleteEnvVar(id: $id) }', { id: s.envVarId });
    await expectAllowed(gw, s.org.owner.token, 'mutation($id: ID!) { deleteLLMConnection(id: $id) }', { id: s.llmId });
    await level(s, 'environment_variables', 'NO_ACCESS');
    await level(s, 'llm_connections', 'NO_ACCESS');
    await expectAllowed(gw, s.deployer.token, mutation, { id: s.automationId });
  });
});
