import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NO_CLUSTER_MESSAGE } from '../../src/k8s/messages.js';
import { addMember, createOrg, createRole, type OrgFixture } from '../support/fixtures.js';
import { connectRepo, DEPLOY, deployNew, storeArchive, type DeploymentResult } from '../support/automation-fixtures.js';
import { expectAllowed, expectDenied, expectHidden } from '../support/expect.js';
import { startTestGateway, type TestGateway } from '../support/harness.js';

// SPEC §4 "Quick Reference: Minimum Permissions for Deployment", row by row, each with its denied
// twin; no cluster is configured here, so every allowed deploy is recorded and not applied.
let gw: TestGateway;
let org: OrgFixture;
let repo: string;
const orgVars = () => ({ org: String(org.organizationId) });

beforeAll(async () => {
  gw = await startTestGateway();
  org = await createOrg(gw);
  repo = await connectRepo(gw, org.owner.token, org.organizationId);
});
afterAll(async () => gw.close());

async function member(levels: Parameters<typeof createRole>[2]) {
  return addMember(gw, org.organizationId, await createRole(gw, org.organizationId, levels));
}

describe('deploy from GitHub: crews_dashboards READ, and repository access when Git RBAC is on', () => {
  it('READ may deploy; with NO_ACCESS deployAutomation is not in the schema', async () => {
    const reader = await member({ crews_dashboards: 'READ' });
    await deployNew(gw, reader.token, org.organizationId, repo);
    const none = await member({ crews_dashboards: 'NO_ACCESS' });
    const before = await gw.db.selectFrom('automations').select('id').where('organizationId', '=', org.organizationId).execute();
    await expectHidden(gw, none.token, DEPLOY, { ...orgVars(), input: { name: 'x', source: { gitRepoId: repo } } }, 'deployAutomation');
    expect(await gw.db.selectFrom('automations').select('id').where('organizationId', '=', org.organizationId).execute()).toHaveLength(before.length);
  });

  it("with Git RBAC on, only those on the repository's access list may deploy from it", async () => {
    const listed = await member({ crews_dashboards: 'READ' });
    const unlisted = await member({ crews_dashboards: 'READ' });
    const guarded = await connectRepo(gw, org.owner.token, org.organizationId);
    await expectAllowed(
      gw,
      org.owner.token,
      'mutation($id: ID!, $u: ID!) { setGitRepoAccess(id: $id, access: [{ principalType: USER, principalId: $u }]) { id } }',
      { id: guarded, u: listed.userId },
    );
    await expectAllowed(
      gw,
      org.owner.token,
      'mutation($org: ID!) { updateOrganizationSettings(organizationId: $org, input: { gitRepositoryRbac: true }) { gitRepositoryRbac } }',
      orgVars(),
    );
    try {
      await deployNew(gw, listed.token, org.organizationId, guarded);
      // The repository is not in the unlisted caller's list: it is refused as a missing one is,
      // and the refusal does not name it (issue 14 §5).
      const denied = await expectDenied(gw, unlisted.token, DEPLOY, { ...orgVars(), input: { name: 'x', source: { gitRepoId: guarded } } }, 'NOT_FOUND');
      expect(denied.errors[0]?.message).toBe(`GitRepo "${guarded}" was not found.`);
      expect(denied.raw).not.toContain('acme/repo');
      expect(denied.raw).not.toContain('GIT_REPOSITORY_ACCESS');
    } finally {
      await expectAllowed(
        gw,
        org.owner.token,
        'mutation($org: ID!) { updateOrganizationSettings(organizationId: $org, input: { gitRepositoryRbac: false }) { gitRepositoryRbac } }',
        orgVars(),
      );
    }
  });
});

describe('deploy from Zip: crews_dashboards READ, and zip deployments enabled', () => {
  it('allowed while enabled, FORBIDDEN naming the setting once disabled', async () => {
    const archive = await storeArchive(gw, org.organizationId);
    const reader = await member({ crews_dashboards: 'READ' });
    const ok = await expectAllowed<{ deployAutomation: DeploymentResult & { archiveSha256: string } }>(gw, reader.token, DEPLOY, {
      ...orgVars(),
      input: { name: 'zipped', source: { archiveId: archive.id } },
    });
    expect(ok.deployAutomation.archiveSha256).toBe(archive.sha256);
    await expectAllowed(
      gw,
      org.owner.token,
      'mutation($org: ID!) { updateOrganizationSettings(organizationId: $org, input: { zipDeploymentsEnabled: false }) { zipDeploymentsEnabled } }',
      orgVars(),
    );
    try {
      const denied = await expectDenied(
        gw,
        reader.token,
        DEPLOY,
        { ...orgVars(), input: { name: 'zipped-2', source: { archiveId: archive.id } } },
        'FORBIDDEN',
      );
      expect(denied.errors[0]?.message).toContain('zip deployments are disabled');
    } finally {
      await expectAllowed(
        gw,
        org.owner.token,
        'mutation($org: ID!) { updateOrganizationSettings(organizationId: $org, input: { zipDeploymentsEnabled: true }) { zipDeploymentsEnabled } }',
        orgVars(),
      );
    }
  });
});

describe('configure LLM keys and set environment variables on a deploy', () => {
  it('attaching an LLM connection needs llm_connections MANAGE', async () => {
    const llm = await expectAllowed<{ createLLMConnection: { id: string } }>(
      gw,
      org.owner.token,
      'mutation($org: ID!) { createLLMConnection(organizationId: $org, input: { name: "main", provider: OPENAI, apiKey: "sk-live-abcdef123456" }) { id } }',
      orgVars(),
    );
    const without = await member({ crews_dashboards: 'READ', llm_connections: 'NO_ACCESS' });
    const denied = await expectDenied(
      gw,
      without.token,
      DEPLOY,
      { ...orgVars(), input: { name: 'llm-denied', source: { gitRepoId: repo }, llmConnectionId: llm.createLLMConnection.id } },
      'FORBIDDEN',
    );
    expect(denied.errors[0]?.message).toContain('llm_connections: MANAGE');
    const withIt = await member({ crews_dashboards: 'READ', llm_connections: 'MANAGE' });
    const ok = await deployNew(gw, withIt.token, org.organizationId, repo, { llmConnectionId: llm.createLLMConnection.id });
    expect(JSON.stringify(ok.deployment)).not.toContain('sk-live-abcdef123456');
  });

  it('attaching env vars needs environment_variables MANAGE and access to each under entity RBAC', async () => {
    const envVar = await expectAllowed<{ createEnvVar: { id: string } }>(
      gw,
      org.owner.token,
      'mutation($org: ID!) { createEnvVar(organizationId: $org, input: { name: "DEPLOY_SECRET", value: "s3cr3t-value" }) { id } }',
      orgVars(),
    );
    const id = envVar.createEnvVar.id;
    const without = await member({ crews_dashboards: 'READ', environment_variables: 'NO_ACCESS' });
    await expectDenied(gw, without.token, DEPLOY, { ...orgVars(), input: { name: 'env-denied', source: { gitRepoId: repo }, envVarIds: [id] } }, 'FORBIDDEN');
    const manager = await member({ crews_dashboards: 'READ', environment_variables: 'MANAGE' });
    const ok = await deployNew(gw, manager.token, org.organizationId, repo, { envVarIds: [id] });
    expect(JSON.stringify(ok.deployment)).not.toContain('s3cr3t-value');
    expect(JSON.stringify(ok.deployment.manifests)).toContain('DEPLOY_SECRET');
    await expectAllowed(gw, org.owner.token, 'mutation($id: ID!) { setEnvVarAccess(id: $id, access: []) { id } }', { id });
    await expectAllowed(
      gw,
      org.owner.token,
      'mutation($org: ID!) { updateOrganizationSettings(organizationId: $org, input: { entityRbac: true }) { entityRbac } }',
      orgVars(),
    );
    try {
      await expectDenied(
        gw,
        manager.token,
        DEPLOY,
        { ...orgVars(), input: { name: 'env-restricted', source: { gitRepoId: repo }, envVarIds: [id] } },
        'NOT_FOUND',
      );
    } finally {
      await expectAllowed(
        gw,
        org.owner.token,
        'mutation($org: ID!) { updateOrganizationSettings(organizationId: $org, input: { entityRbac: false }) { entityRbac } }',
        orgVars(),
      );
    }
  });
});

describe('redeploy, rollback, delete: manage_settings on the automation', () => {
  const GRANT =
    'mutation($id: ID!, $u: ID!) { setAutomationAccess(id: $id, visibility: ORGANIZATION, access: [{ principalType: USER, principalId: $u, permissions: [MANAGE_SETTINGS] }]) { id } }';
  it.each(['redeployAutomation(id: $id) { version }', 'rollbackAutomation(id: $id, toVersion: 1) { version }', 'deleteAutomation(id: $id) { deletedAt }'])(
    '%s',
    async (field) => {
      const name = field.slice(0, field.indexOf('('));
      const mutation = `mutation($id: ID!) { ${field} }`;
      const { automationId } = await deployNew(gw, org.owner.token, org.organizationId, repo);
      const { automationId: granted } = await deployNew(gw, org.owner.token, org.organizationId, repo);
      // crews_dashboards READ and no manage_settings grant anywhere: the mutation is not in its schema.
      const reader = await member({ crews_dashboards: 'READ' });
      await expectHidden(gw, reader.token, mutation, { id: automationId }, name);
      // A manage_settings grant on one automation brings it into the schema at the next request:
      // allowed there, FORBIDDEN naming manage_settings on an automation the grant does not cover.
      await expectAllowed(gw, org.owner.token, GRANT, { id: granted, u: reader.userId });
      const denied = await expectDenied(gw, reader.token, mutation, { id: automationId }, 'FORBIDDEN');
      expect(denied.errors[0]?.message).toContain('manage_settings');
      await expectAllowed(gw, reader.token, mutation, { id: granted });
      const manager = await member({ crews_dashboards: 'MANAGE' });
      await expectAllowed(gw, manager.token, mutation, { id: automationId });
    },
  );
});

describe('without a cluster', () => {
  it('a deploy is validated, resolved and recorded with its manifests, and says nothing was applied', async () => {
    const { deployment } = await deployNew(gw, org.owner.token, org.organizationId, repo);
    expect(deployment.status).toBe('FAILED');
    expect(deployment.message).toBe(NO_CLUSTER_MESSAGE);
    expect(deployment.retryable).toBe(false);
    expect(deployment.appliedObjects).toEqual([]);
    expect(deployment.namespace).toBe('crewai');
    expect(deployment.manifests.map((m) => m.kind)).toEqual(['Secret', 'Deployment', 'Service']);
  });

  it('versions count up, and a rollback records which version it restored', async () => {
    const { automationId } = await deployNew(gw, org.owner.token, org.organizationId, repo);
    await expectAllowed(gw, org.owner.token, 'mutation($id: ID!) { redeployAutomation(id: $id) { version } }', { id: automationId });
    const rolled = await expectAllowed<{ rollbackAutomation: { version: number; rollbackOfVersion: number } }>(
      gw,
      org.owner.token,
      'mutation($id: ID!) { rollbackAutomation(id: $id, toVersion: 1) { version rollbackOfVersion } }',
      { id: automationId },
    );
    expect(rolled.rollbackAutomation).toEqual({ version: 3, rollbackOfVersion: 1 });
    await expectDenied(gw, org.owner.token, 'mutation($id: ID!) { rollbackAutomation(id: $id, toVersion: 9) { version } }', { id: automationId }, 'NOT_FOUND');
  });

  it('a source needs exactly one of gitRepoId or archiveId', async () => {
    await expectDenied(gw, org.owner.token, DEPLOY, { ...orgVars(), input: { name: 'none', source: {} } }, 'BAD_USER_INPUT');
    const archive = await storeArchive(gw, org.organizationId);
    await expectDenied(
      gw,
      org.owner.token,
      DEPLOY,
      { ...orgVars(), input: { name: 'both', source: { gitRepoId: repo, archiveId: archive.id } } },
      'BAD_USER_INPUT',
    );
  });
});
