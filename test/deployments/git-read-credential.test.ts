import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectRepo, DEPLOY, deployNew } from '../support/automation-fixtures.js';
import { expectAllowed, expectDenied, expectHidden } from '../support/expect.js';
import { addMember, createOrg, createRole, type OrgFixture } from '../support/fixtures.js';
import { SHARED_NAMESPACE, startClusterEnv, type ClusterEnv } from '../support/k8s-setup.js';

// Issue 13 item 2 (SPEC §7 "from Git (a read credential for that repository)"): a repository's
// HTTPS access token is set, replaced and cleared by whoever may configure the repository, is
// readable by no one, and reaches only the automation's Kubernetes Secret.
const SET = `mutation($id: ID!, $credential: GitReadCredentialInput) {
  setGitRepoReadCredential(id: $id, credential: $credential) { id hasReadCredential readCredentialUpdatedAt }
}`;
const CONNECT = `mutation($org: ID!, $input: ConnectGitRepoInput!) { connectGitRepo(organizationId: $org, input: $input) { id cloneUrl hasReadCredential } }`;
const TOKEN = 'ghp_firstTokenValue0123456789';
const ROTATED = 'ghp_rotatedTokenValue987654321';

type Credential = { hasReadCredential: boolean; readCredentialUpdatedAt: string | null };
type EnvEntry = { name: string; value: string };
type AppliedDeployment = { spec: { template: { spec: { containers: Array<{ env: EnvEntry[] }> } } } };

const logLines: string[] = [];
let env: ClusterEnv;
let org: OrgFixture;
let repo: string;
const orgVars = () => ({ org: String(org.organizationId) });

beforeAll(async () => {
  // Every log line the gateway writes, at every level, to search for the token.
  env = await startClusterEnv('automatic', {}, { logger: pino({ level: 'trace' }, { write: (line: string) => void logLines.push(line) }) });
  org = await createOrg(env.gw);
  repo = await connectRepo(env.gw, org.owner.token, org.organizationId, 'acme/private-crew');
});
afterAll(async () => env.close());

function appliedSecret(automationId: string): Record<string, string> {
  const secret = env.stub.objects.secrets.get(`${SHARED_NAMESPACE}/automation-${automationId}-env`) as { data?: Record<string, string> } | undefined;
  return Object.fromEntries(Object.entries(secret?.data ?? {}).map(([key, value]) => [key, Buffer.from(value, 'base64').toString('utf8')]));
}

function appliedEnv(automationId: string): Record<string, string> {
  const deployment = env.stub.objects.deployments.get(`${SHARED_NAMESPACE}/automation-${automationId}`) as AppliedDeployment | undefined;
  return Object.fromEntries((deployment?.spec.template.spec.containers[0]?.env ?? []).map((entry) => [entry.name, entry.value]));
}

describe('setGitRepoReadCredential: set, replace, clear', () => {
  const CASES: Array<{ step: string; credential: { accessToken: string; username?: string } | null; has: boolean; username: string | null }> = [
    { step: "set, with the provider's token username", credential: { accessToken: TOKEN }, has: true, username: 'x-access-token' },
    { step: 'replace, with a username of its own', credential: { accessToken: ROTATED, username: 'deploy-bot' }, has: true, username: 'deploy-bot' },
    { step: 'clear', credential: null, has: false, username: null },
  ];
  it.each(CASES)('$step', async ({ credential, has, username }) => {
    const data = await expectAllowed<{ setGitRepoReadCredential: Credential }>(env.gw, org.owner.token, SET, { id: repo, credential });
    expect(data.setGitRepoReadCredential.hasReadCredential).toBe(has);
    expect(data.setGitRepoReadCredential.readCredentialUpdatedAt !== null).toBe(has);
    const row = await env.gw.db.selectFrom('gitRepos').selectAll().where('id', '=', repo).executeTakeFirstOrThrow();
    expect(row.readCredentialUsername).toBe(username);
    // Stored sealed: the plain token is nowhere in the row.
    if (credential) expect(row.readCredentialCiphertext?.includes(Buffer.from(credential.accessToken))).toBe(false);
    else expect(row.readCredentialCiphertext).toBeNull();
  });

  it.each([
    ['an empty token', { accessToken: '  ' }, 'credential.accessToken'],
    ['a token with a space', { accessToken: 'ghp_abc def' }, 'credential.accessToken'],
    ['a username with a space', { accessToken: TOKEN, username: 'deploy bot' }, 'credential.username'],
  ])('refuses %s with BAD_USER_INPUT naming the field', async (_case, credential, field) => {
    const denied = await expectDenied(env.gw, org.owner.token, SET, { id: repo, credential }, 'BAD_USER_INPUT');
    expect(denied.errors[0]?.extensions?.field).toBe(field);
  });
});

describe('who may set it: whoever may configure the repository', () => {
  it.each([
    ['organization_settings MANAGE', { organization_settings: 'MANAGE', crews_dashboards: 'READ' } as const, 'allowed'],
    ['crews_dashboards MANAGE alone', { crews_dashboards: 'MANAGE' } as const, 'hidden'],
  ])('%s: %s', async (_case, levels, outcome) => {
    const actor = await addMember(env.gw, org.organizationId, await createRole(env.gw, org.organizationId, levels));
    const variables = { id: repo, credential: { accessToken: TOKEN } };
    if (outcome === 'allowed') await expectAllowed(env.gw, actor.token, SET, variables);
    else await expectHidden(env.gw, actor.token, SET, variables, 'setGitRepoReadCredential');
  });

  it("with Git RBAC on, a manager off the repository's access list gets NOT_FOUND", async () => {
    const own = await createOrg(env.gw);
    const guarded = await connectRepo(env.gw, own.owner.token, own.organizationId);
    const manager = await addMember(env.gw, own.organizationId, await createRole(env.gw, own.organizationId, { organization_settings: 'MANAGE' }));
    await expectAllowed(
      env.gw,
      own.owner.token,
      'mutation($o: ID!) { updateOrganizationSettings(organizationId: $o, input: { gitRepositoryRbac: true }) { gitRepositoryRbac } }',
      { o: String(own.organizationId) },
    );
    await expectDenied(env.gw, manager.token, SET, { id: guarded, credential: { accessToken: TOKEN } }, 'NOT_FOUND');
    await expectAllowed(env.gw, own.owner.token, SET, { id: guarded, credential: { accessToken: TOKEN } });
  });
});

describe('the clone URL', () => {
  it.each([
    ['GitHub by default', { fullName: 'acme/one' }, 'https://github.com/acme/one.git'],
    ['GitLab by default', { fullName: 'acme/two', provider: 'GITLAB' }, 'https://gitlab.com/acme/two.git'],
    [
      'a self-hosted server',
      { fullName: 'acme/three', cloneUrl: 'https://git.example.com/platform/acme/three.git' },
      'https://git.example.com/platform/acme/three.git',
    ],
  ])('%s', async (_case, input, expected) => {
    const data = await expectAllowed<{ connectGitRepo: { cloneUrl: string } }>(env.gw, org.owner.token, CONNECT, { ...orgVars(), input });
    expect(data.connectGitRepo.cloneUrl).toBe(expected);
  });

  it.each([
    ['plain http', 'http://git.example.com/acme/x.git'],
    ['credentials in the URL', `https://x-access-token:${TOKEN}@git.example.com/acme/x.git`],
    ['not a URL', 'git@github.com:acme/x.git'],
  ])('refuses %s', async (_case, cloneUrl) => {
    const denied = await expectDenied(env.gw, org.owner.token, CONNECT, { ...orgVars(), input: { fullName: 'acme/refused', cloneUrl } }, 'BAD_USER_INPUT');
    expect(denied.errors[0]?.extensions?.field).toBe('cloneUrl');
  });
});

describe('deploying from the repository', () => {
  it('puts the token in the applied Secret and the clone URL and ref in the Deployment, and the token nowhere else', async () => {
    await expectAllowed(env.gw, org.owner.token, SET, { id: repo, credential: { accessToken: TOKEN } });
    const { deployment, automationId } = await deployNew(env.gw, org.owner.token, org.organizationId, repo);
    expect(deployment.status).toBe('DEPLOYED');
    expect(appliedSecret(automationId)).toMatchObject({ GATEHOUSE_GIT_TOKEN: TOKEN, GATEHOUSE_GIT_USERNAME: 'x-access-token' });
    expect(appliedEnv(automationId)).toMatchObject({
      GATEHOUSE_SOURCE_REPOSITORY: 'acme/private-crew',
      GATEHOUSE_SOURCE_REPOSITORY_URL: 'https://github.com/acme/private-crew.git',
      GATEHOUSE_SOURCE_REF: 'main',
    });
    // The manifests output keeps the Secret's keys and hides their values.
    const secret = deployment.manifests.find((manifest) => manifest.kind === 'Secret') as { data: Record<string, string> };
    expect(secret.data.GATEHOUSE_GIT_TOKEN).toBe('(redacted)');
    const history = await env.gw.gql(
      org.owner.token,
      'query($o: ID!) { organization(id: $o) { automations { edges { node { deployments { edges { node { manifests } } } } } } gitRepos { edges { node { id cloneUrl hasReadCredential readCredentialUpdatedAt } } } } }',
      { o: String(org.organizationId) },
    );
    expect(history.errors).toEqual([]);
    expect(history.raw).toContain('GATEHOUSE_GIT_TOKEN');
    const audit = await env.gw.db.selectFrom('auditLog').select(['action', 'before', 'after']).where('organizationId', '=', org.organizationId).execute();
    expect(audit.map((entry) => entry.action)).toEqual(expect.arrayContaining(['git_repo.read_credential.set', 'deployment.create']));
    const credentialEntry = audit.find((entry) => entry.action === 'git_repo.read_credential.set');
    expect(JSON.stringify(credentialEntry?.after)).toContain('"read_credential_ciphertext":"[redacted]"');
    // The log did record the deploy (so it was searched), without the token.
    expect(logLines.some((line) => line.includes('automation deployed'))).toBe(true);
    for (const leak of [JSON.stringify(deployment), history.raw, JSON.stringify(audit), logLines.join('\n')]) {
      expect(leak).not.toContain(TOKEN);
      expect(leak).not.toContain(Buffer.from(TOKEN).toString('base64'));
    }
  });

  it('a redeploy carries the token as it is now: rotated, or gone once cleared', async () => {
    const { automationId } = await deployNew(env.gw, org.owner.token, org.organizationId, repo);
    await expectAllowed(env.gw, org.owner.token, SET, { id: repo, credential: { accessToken: ROTATED } });
    await expectAllowed(env.gw, org.owner.token, 'mutation($id: ID!) { redeployAutomation(id: $id) { status } }', { id: automationId });
    expect(appliedSecret(automationId).GATEHOUSE_GIT_TOKEN).toBe(ROTATED);
    await expectAllowed(env.gw, org.owner.token, SET, { id: repo, credential: null });
    await expectAllowed(env.gw, org.owner.token, 'mutation($id: ID!) { redeployAutomation(id: $id) { status } }', { id: automationId });
    expect(Object.keys(appliedSecret(automationId))).not.toContain('GATEHOUSE_GIT_TOKEN');
    expect(Object.keys(appliedSecret(automationId))).not.toContain('GATEHOUSE_GIT_USERNAME');
  });

  it('a public repository (no credential) deploys without one', async () => {
    const open = await connectRepo(env.gw, org.owner.token, org.organizationId, 'acme/public-crew');
    const data = await expectAllowed<{ deployAutomation: { id: string } }>(env.gw, org.owner.token, DEPLOY, {
      ...orgVars(),
      input: { name: 'public', source: { gitRepoId: open } },
    });
    const row = await env.gw.db.selectFrom('automationDeployments').select('automationId').where('id', '=', data.deployAutomation.id).executeTakeFirstOrThrow();
    expect(Object.keys(appliedSecret(row.automationId))).not.toContain('GATEHOUSE_GIT_TOKEN');
    expect(appliedEnv(row.automationId).GATEHOUSE_SOURCE_REPOSITORY_URL).toBe('https://github.com/acme/public-crew.git');
  });
});

describe('never readable through GraphQL', () => {
  it('no field of GitRepo, nor any type, holds the credential; only the write-only input names it', async () => {
    const data = await expectAllowed<{ __schema: { types: Array<{ name: string; kind: string; fields: Array<{ name: string }> | null }> } }>(
      env.gw,
      org.owner.token,
      '{ __schema { types { name kind fields { name } } } }',
    );
    const gitRepo = data.__schema.types.find((type) => type.name === 'GitRepo');
    expect(gitRepo?.fields?.map((field) => field.name)).toEqual(expect.arrayContaining(['cloneUrl', 'hasReadCredential', 'readCredentialUpdatedAt']));
    const outputFields = data.__schema.types
      .filter((type) => type.kind === 'OBJECT' && !type.name.startsWith('__'))
      .flatMap((type) => (type.fields ?? []).map((field) => `${type.name}.${field.name}`));
    // Only the mutation and the two fields that say whether, and since when, one is set.
    expect(outputFields.filter((name) => /credential|ciphertext|accessToken|gitToken/i.test(name)).sort()).toEqual([
      'GitRepo.hasReadCredential',
      'GitRepo.readCredentialUpdatedAt',
      'Mutation.setGitRepoReadCredential',
    ]);
    expect(data.__schema.types.find((type) => type.name === 'GitReadCredentialInput')?.kind).toBe('INPUT_OBJECT');
  });
});
