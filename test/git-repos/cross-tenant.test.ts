import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectAllowed, expectDenied } from '../support/expect.js';
import { createOrg, type OrgFixture } from '../support/fixtures.js';
import { startTestGateway, type TestGateway } from '../support/harness.js';

// SPEC §1 "Cross-tenant": another organization's repository ids are NOT_FOUND, and nothing changes.
const CONNECT = 'mutation($org: ID!) { connectGitRepo(organizationId: $org, input: { fullName: "them/secret-repo" }) { id } }';
const MUTATIONS: Array<[string, string]> = [
  ['disconnectGitRepo', 'mutation($id: ID!) { disconnectGitRepo(id: $id) }'],
  ['setGitRepoAccess', 'mutation($id: ID!) { setGitRepoAccess(id: $id, access: []) { id fullName } }'],
];
const LIST = 'query($org: ID!) { organization(id: $org) { gitRepos { totalCount edges { node { id fullName } } } } }';

let gw: TestGateway;
let mine: OrgFixture;
let theirs: OrgFixture;
let theirId: string;

beforeAll(async () => {
  gw = await startTestGateway();
  mine = await createOrg(gw);
  theirs = await createOrg(gw);
  theirId = (await expectAllowed<{ connectGitRepo: { id: string } }>(gw, theirs.owner.token, CONNECT, { org: String(theirs.organizationId) })).connectGitRepo.id;
});
afterAll(async () => gw.close());

describe('ids of another organization are NOT_FOUND', () => {
  it.each(MUTATIONS)('%s with another organization’s repository id', async (_name, mutation) => {
    const response = await expectDenied(gw, mine.owner.token, mutation, { id: theirId }, 'NOT_FOUND');
    expect(response.data).toBeNull();
    expect(response.raw).not.toContain('secret-repo');
  });

  it.each(MUTATIONS)('%s with a malformed or unknown id answers the same', async (_name, mutation) => {
    await expectDenied(gw, mine.owner.token, mutation, { id: "'; drop table git_repos; --" }, 'NOT_FOUND');
    await expectDenied(gw, mine.owner.token, mutation, { id: '00000000-0000-4000-8000-000000000000' }, 'NOT_FOUND');
  });

  it('connectGitRepo in another organization is NOT_FOUND', async () => {
    await expectDenied(gw, mine.owner.token, CONNECT, { org: String(theirs.organizationId) }, 'NOT_FOUND');
  });

  it('a principal of another organization on my repository’s access list is NOT_FOUND', async () => {
    const own = await expectAllowed<{ connectGitRepo: { id: string } }>(gw, mine.owner.token, CONNECT, { org: String(mine.organizationId) });
    const query = 'mutation($id: ID!, $access: [AccessEntryInput!]!) { setGitRepoAccess(id: $id, access: $access) { id } }';
    await expectDenied(gw, mine.owner.token, query, { id: own.connectGitRepo.id, access: [{ principalType: 'USER', principalId: theirs.owner.userId }] }, 'NOT_FOUND');
    await expectDenied(gw, mine.owner.token, query, { id: own.connectGitRepo.id, access: [{ principalType: 'ROLE', principalId: theirs.memberRoleId }] }, 'NOT_FOUND');
  });

  it('the other organization’s repository is still connected and absent from my list', async () => {
    const their = await expectAllowed<{ organization: { gitRepos: { edges: { node: unknown }[] } } }>(gw, theirs.owner.token, LIST, { org: String(theirs.organizationId) });
    expect(their.organization.gitRepos.edges.map((e) => e.node)).toEqual([{ id: theirId, fullName: 'them/secret-repo' }]);
    const my = await expectAllowed<{ organization: { gitRepos: { edges: { node: { id: string } }[] } } }>(gw, mine.owner.token, LIST, { org: String(mine.organizationId) });
    expect(my.organization.gitRepos.edges.map((e) => e.node.id)).not.toContain(theirId);
  });
});
