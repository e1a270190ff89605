import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEPLOY } from '../support/automation-fixtures.js';
import { expectAllowed, expectDenied, expectHidden } from '../support/expect.js';
import { addMember, addServiceAccount, createOrg, createRole, type Actor, type OrgFixture } from '../support/fixtures.js';
import { startTestGateway, type TestGateway } from '../support/harness.js';

// SPEC §3 Git RBAC: with the organization setting `gitRepositoryRbac` on, a connected repository
// is usable (listing it, deploying from it) only by Owners and those on its access list.
const CONNECT =
  'mutation($org: ID!, $name: String!) { connectGitRepo(organizationId: $org, input: { fullName: $name }) { id fullName provider defaultBranch } }';
const SET_ACCESS =
  'mutation($id: ID!, $access: [AccessEntryInput!]!) { setGitRepoAccess(id: $id, access: $access) { id accessList { principalType principalId } } }';
const LIST = 'query($org: ID!) { organization(id: $org) { gitRepos { totalCount edges { node { fullName } } } } }';
const WITH_ACCESS = 'query($org: ID!) { organization(id: $org) { gitRepos { edges { node { fullName accessList { principalId } } } } } }';
const SETTINGS =
  'mutation($org: ID!, $on: Boolean!) { updateOrganizationSettings(organizationId: $org, input: { gitRepositoryRbac: $on }) { gitRepositoryRbac } }';

let gw: TestGateway;
let org: OrgFixture;
let userOnList: Actor;
let roleHolder: Actor;
let serviceAccount: Actor;
let nobody: Actor;
const ids: Record<string, string> = {};

const vars = (extra: Record<string, unknown> = {}) => ({ org: String(org.organizationId), ...extra });

async function names(actor: Actor): Promise<{ names: string[]; totalCount: number }> {
  const data = await expectAllowed<{ organization: { gitRepos: { totalCount: number; edges: { node: { fullName: string } }[] } } }>(
    gw,
    actor.token,
    LIST,
    vars(),
  );
  return { names: data.organization.gitRepos.edges.map((e) => e.node.fullName).sort(), totalCount: data.organization.gitRepos.totalCount };
}

beforeAll(async () => {
  gw = await startTestGateway();
  org = await createOrg(gw);
  const listedRole = await createRole(gw, org.organizationId, { crews_dashboards: 'READ' });
  userOnList = await addMember(gw, org.organizationId, org.memberRoleId);
  roleHolder = await addMember(gw, org.organizationId, listedRole);
  serviceAccount = await addServiceAccount(gw, org.organizationId, org.memberRoleId);
  nobody = await addMember(gw, org.organizationId, org.memberRoleId);
  for (const name of ['acme/for-user', 'acme/for-role', 'acme/for-bot', 'acme/unlisted']) {
    ids[name] = (await expectAllowed<{ connectGitRepo: { id: string } }>(gw, org.owner.token, CONNECT, vars({ name }))).connectGitRepo.id;
  }
  await expectAllowed(gw, org.owner.token, SET_ACCESS, { id: ids['acme/for-user'], access: [{ principalType: 'USER', principalId: userOnList.userId }] });
  await expectAllowed(gw, org.owner.token, SET_ACCESS, { id: ids['acme/for-role'], access: [{ principalType: 'ROLE', principalId: listedRole }] });
  await expectAllowed(gw, org.owner.token, SET_ACCESS, {
    id: ids['acme/for-bot'],
    access: [{ principalType: 'SERVICE_ACCOUNT', principalId: serviceAccount.serviceAccountId }],
  });
});
afterAll(async () => gw.close());

const ALL = ['acme/for-bot', 'acme/for-role', 'acme/for-user', 'acme/unlisted'];

describe('with Git RBAC off', () => {
  it('every member with crews_dashboards READ lists every repository', async () => {
    expect(await names(nobody)).toEqual({ names: ALL, totalCount: 4 });
  });
});

describe('with Git RBAC on', () => {
  beforeAll(async () => {
    await expectAllowed(gw, org.owner.token, SETTINGS, vars({ on: true }));
  });

  it.each([
    ['a member on no list sees none, totalCount 0', () => nobody, []],
    ['a user on a list sees only that repository', () => userOnList, ['acme/for-user']],
    ['a holder of a listed role sees only that repository', () => roleHolder, ['acme/for-role']],
    ['a service account on a list sees only that repository', () => serviceAccount, ['acme/for-bot']],
    ['the Owner sees every repository, listed or not', () => org.owner, ALL],
  ])('%s', async (_case, actor, expected) => {
    expect(await names(actor())).toEqual({ names: expected, totalCount: expected.length });
  });

  it('paging with first/after walks the same filtered list, one row at a time', async () => {
    const page =
      'query($org: ID!, $after: String) { organization(id: $org) { gitRepos(first: 1, after: $after) { pageInfo { hasNextPage endCursor } edges { node { fullName } } } } }';
    interface Paged {
      organization: { gitRepos: { pageInfo: { hasNextPage: boolean; endCursor: string | null }; edges: { node: { fullName: string } }[] } };
    }
    const seen: string[] = [];
    let after: string | null = null;
    for (let i = 0; i < 10; i++) {
      const data: Paged = await expectAllowed<Paged>(gw, org.owner.token, page, vars({ after }));
      seen.push(...data.organization.gitRepos.edges.map((e) => e.node.fullName));
      if (!data.organization.gitRepos.pageInfo.hasNextPage) break;
      after = data.organization.gitRepos.pageInfo.endCursor;
    }
    expect(seen.sort()).toEqual(ALL);
    const own = await expectAllowed<Paged>(gw, userOnList.token, page, vars({ after: null }));
    expect(own.organization.gitRepos).toMatchObject({ pageInfo: { hasNextPage: false }, edges: [{ node: { fullName: 'acme/for-user' } }] });
  });

  it('deploying from a repository hidden by Git RBAC is NOT_FOUND, as from one that does not exist, and names nothing', async () => {
    const deploy = (actor: Actor, gitRepoId: string) =>
      gw.gql(actor.token, DEPLOY, vars({ input: { name: `from-${gitRepoId.slice(0, 8)}`, source: { gitRepoId } } }));
    const hidden = await deploy(userOnList, ids['acme/unlisted'] ?? '');
    const missing = await deploy(userOnList, randomUUID());
    for (const response of [hidden, missing]) expect(response.errors.map((e) => e.extensions?.code)).toEqual(['NOT_FOUND']);
    expect(hidden.errors[0]?.message).toBe(`GitRepo "${ids['acme/unlisted']}" was not found.`);
    // The same extensions but for the request id, which differs on every request.
    const shape = (response: typeof hidden) => ({ ...response.errors[0]?.extensions, requestId: undefined });
    expect(shape(hidden)).toEqual(shape(missing));
    expect(hidden.raw).not.toContain('acme/unlisted');
    // The allowed twin: the same caller deploys from the repository on their list.
    expect((await deploy(userOnList, ids['acme/for-user'] ?? '')).errors).toEqual([]);
  });

  it('a repository hidden by Git RBAC is NOT_FOUND for an admin not on its list', async () => {
    const admin = await addMember(
      gw,
      org.organizationId,
      await createRole(gw, org.organizationId, { crews_dashboards: 'READ', organization_settings: 'MANAGE' }),
    );
    await expectDenied(gw, admin.token, SET_ACCESS, { id: ids['acme/unlisted'], access: [] }, 'NOT_FOUND');
    await expectDenied(gw, admin.token, 'mutation($id: ID!) { disconnectGitRepo(id: $id) }', { id: ids['acme/unlisted'] }, 'NOT_FOUND');
  });
});

describe('Git RBAC access lists are organization configuration', () => {
  it('GitRepo.accessList is not in the schema without organization_settings MANAGE (the repositories still are) and shown to the Owner', async () => {
    await expectHidden(gw, userOnList.token, WITH_ACCESS, vars(), 'accessList');
    expect((await names(userOnList)).names).toContain('acme/for-user');
    const data = await expectAllowed<{ organization: { gitRepos: { edges: { node: { fullName: string; accessList: { principalId: string }[] } }[] } } }>(
      gw,
      org.owner.token,
      WITH_ACCESS,
      vars(),
    );
    expect(data.organization.gitRepos.edges.find((e) => e.node.fullName === 'acme/for-user')?.node.accessList).toEqual([{ principalId: userOnList.userId }]);
  });

  it('connecting, disconnecting and setting access are not in the schema without organization_settings MANAGE, and change nothing', async () => {
    await expectHidden(gw, userOnList.token, CONNECT, vars({ name: 'acme/new' }), 'connectGitRepo');
    await expectHidden(gw, userOnList.token, SET_ACCESS, { id: ids['acme/for-user'], access: [] }, 'setGitRepoAccess');
    await expectHidden(gw, userOnList.token, 'mutation($id: ID!) { disconnectGitRepo(id: $id) }', { id: ids['acme/for-user'] }, 'disconnectGitRepo');
    const data = await expectAllowed<{ organization: { gitRepos: { edges: { node: { fullName: string; accessList: { principalId: string }[] } }[] } } }>(
      gw,
      org.owner.token,
      WITH_ACCESS,
      vars(),
    );
    expect(data.organization.gitRepos.edges.map((e) => e.node.fullName).sort()).toEqual(ALL);
    expect(data.organization.gitRepos.edges.find((e) => e.node.fullName === 'acme/for-user')?.node.accessList).toEqual([{ principalId: userOnList.userId }]);
  });

  it('listing repositories is not in the schema with crews_dashboards NO_ACCESS', async () => {
    const none = await addMember(gw, org.organizationId, await createRole(gw, org.organizationId, { tools: 'READ' }));
    await expectHidden(gw, none.token, LIST, vars(), 'gitRepos');
  });
});

describe('connecting a repository', () => {
  it('defaults to GitHub and branch main', async () => {
    const data = await expectAllowed<{ connectGitRepo: unknown }>(gw, org.owner.token, CONNECT, vars({ name: 'acme/defaults' }));
    expect(data.connectGitRepo).toMatchObject({ fullName: 'acme/defaults', provider: 'GITHUB', defaultBranch: 'main' });
  });

  it.each([['no-slash'], ['a/b/c'], ['/name'], ['owner/'], ['own er/name'], [`${'x'.repeat(101)}/name`]])('fullName %j is BAD_USER_INPUT', async (name) => {
    const response = await expectDenied(gw, org.owner.token, CONNECT, vars({ name }), 'BAD_USER_INPUT');
    expect(response.errors[0]?.message).toContain('owner/name');
  });

  it('a bad branch name is BAD_USER_INPUT', async () => {
    const query = 'mutation($org: ID!) { connectGitRepo(organizationId: $org, input: { fullName: "acme/branchy", defaultBranch: "feature..x" }) { id } }';
    await expectDenied(gw, org.owner.token, query, vars(), 'BAD_USER_INPUT');
  });

  it('the same repository twice is CONFLICT, whatever the case', async () => {
    await expectDenied(gw, org.owner.token, CONNECT, vars({ name: 'ACME/For-User' }), 'CONFLICT');
  });

  it('disconnecting removes it with its access list', async () => {
    await expectAllowed(gw, org.owner.token, 'mutation($id: ID!) { disconnectGitRepo(id: $id) }', { id: ids['acme/for-bot'] });
    expect((await names(serviceAccount)).names).toEqual([]);
    const grants = await gw.db
      .selectFrom('entityGrants')
      .select('id')
      .where('resourceId', '=', ids['acme/for-bot'] ?? '')
      .execute();
    expect(grants).toEqual([]);
  });
});
