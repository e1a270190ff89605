import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Authz } from '../../src/authz/authz.js';
import { preloadGrants } from '../../src/authz/permission-preload.js';
import type { Principal } from '../../src/authz/principal.js';
import { mayActOn, type ActionPermission } from '../../src/modules/automations/automations.repository.js';
import { addMember, addServiceAccount, createOrg, createRole, type Actor, type OrgFixture } from '../support/fixtures.js';
import { connectRepo, deployNew } from '../support/automation-fixtures.js';
import { expectAllowed } from '../support/expect.js';
import { startTestGateway, type TestGateway } from '../support/harness.js';

// The SQL form of SPEC §3's permission rule (`mayActOn`, which filters lists such as
// Organization.pendingHitlRequests) must agree with the per-automation decision (`decide`, which
// guards single items and feeds Automation.viewerPermissions): for every principal, automation
// and permission, the list holds exactly the automations the decision allows.

type Name = 'owner' | 'runGrant' | 'emptyGrant' | 'roleHitl' | 'partnerTraces' | 'manageLevel' | 'manageGrant' | 'fullAccess' | 'noAccess' | 'readOnly';
const ACTIONS: Array<[ActionPermission, string]> = [
  ['run', 'RUN'],
  ['traces', 'TRACES'],
  ['manage_settings', 'MANAGE_SETTINGS'],
  ['human_in_the_loop', 'HUMAN_IN_THE_LOOP'],
];

let gw: TestGateway;
let org: OrgFixture;
const actors = {} as Record<Name, Actor>;
const automations: string[] = [];

async function setAccess(id: string, visibility: 'PRIVATE' | 'ORGANIZATION', access: Array<Record<string, unknown>>) {
  await expectAllowed(
    gw,
    org.owner.token,
    `mutation($id: ID!, $v: AutomationVisibility!, $a: [AutomationAccessInput!]!) {
    setAutomationAccess(id: $id, visibility: $v, access: $a) { id } }`,
    { id, v: visibility, a: access },
  );
}

beforeAll(async () => {
  gw = await startTestGateway();
  org = await createOrg(gw);
  const o = org.organizationId;
  const read = await createRole(gw, o, { crews_dashboards: 'READ' });
  const hitlRole = await createRole(gw, o, { crews_dashboards: 'READ' });
  Object.assign(actors, {
    owner: org.owner,
    runGrant: await addMember(gw, o, read),
    emptyGrant: await addMember(gw, o, read),
    roleHitl: await addMember(gw, o, hitlRole),
    partnerTraces: await addServiceAccount(gw, o, read),
    manageLevel: await addMember(gw, o, await createRole(gw, o, { crews_dashboards: 'MANAGE' })),
    manageGrant: await addMember(gw, o, read),
    fullAccess: await addMember(gw, o, read),
    noAccess: await addMember(gw, o, await createRole(gw, o, { crews_dashboards: 'NO_ACCESS' })),
    readOnly: await addMember(gw, o, read),
  });
  const repo = await connectRepo(gw, org.owner.token, o);
  for (let i = 0; i < 4; i++) automations.push((await deployNew(gw, org.owner.token, o, repo)).automationId);
  const user = (name: Name, permissions?: string[]) => ({ principalType: 'USER', principalId: actors[name].userId, ...(permissions ? { permissions } : {}) });
  const [privateA = '', privateB = '', orgA = '', orgB = ''] = automations;
  await setAccess(privateA, 'PRIVATE', [
    user('runGrant', ['RUN']),
    user('emptyGrant'),
    { principalType: 'ROLE', principalId: hitlRole, permissions: ['HUMAN_IN_THE_LOOP'] },
    { principalType: 'SERVICE_ACCOUNT', principalId: actors.partnerTraces.serviceAccountId, permissions: ['TRACES'] },
    user('noAccess'),
    user('manageGrant', ['MANAGE_SETTINGS']),
  ]);
  await setAccess(privateB, 'PRIVATE', [user('fullAccess', ['FULL_ACCESS'])]);
  await setAccess(orgA, 'ORGANIZATION', [user('runGrant', ['MANAGE_SETTINGS']), user('readOnly', ['RUN'])]);
  await setAccess(orgB, 'ORGANIZATION', []);
});
afterAll(async () => gw.close());

function principalOf(actor: Actor): Principal {
  return actor.serviceAccountId
    ? { kind: 'service_account', serviceAccountId: actor.serviceAccountId, organizationId: org.organizationId, name: 'partner', tokenId: 'test' }
    : { kind: 'user', userId: actor.userId ?? '', email: actor.email ?? '', emailVerified: true, name: 'member' };
}

/** What the per-automation decision allows, as the frontend reads it. */
async function decided(actor: Actor, automationId: string): Promise<Set<string>> {
  const response = await gw.gql<{ organization: { automation: { viewerPermissions: Array<{ permission: string; allowed: boolean }> } | null } }>(
    actor.token,
    'query($o: ID!, $id: ID!) { organization(id: $o) { automation(id: $id) { viewerPermissions { permission allowed } } } }',
    { o: String(org.organizationId), id: automationId },
  );
  // Not viewable (NOT_FOUND) or NO_ACCESS (FORBIDDEN): a null automation, nothing is allowed.
  return new Set((response.data?.organization.automation?.viewerPermissions ?? []).filter((d) => d.allowed).map((d) => d.permission));
}

async function listed(actor: Actor, permission: ActionPermission): Promise<string[]> {
  const authz = new Authz(principalOf(actor), await preloadGrants(gw.db, principalOf(actor)));
  const scope = authz.scope(org.organizationId);
  if (!scope) throw new Error('not a member');
  const rows = await gw.db
    .selectFrom('automations')
    .select('id')
    .where('organizationId', '=', org.organizationId)
    .where(mayActOn({ ...scope, crewsDashboards: authz.level(org.organizationId, 'crews_dashboards') }, permission))
    .execute();
  return rows.map((row) => row.id).sort();
}

describe('mayActOn (SQL) agrees with decide (per automation), SPEC §3', () => {
  const names: Name[] = ['owner', 'runGrant', 'emptyGrant', 'roleHitl', 'partnerTraces', 'manageLevel', 'manageGrant', 'fullAccess', 'noAccess', 'readOnly'];
  it.each(names)('%s', async (name) => {
    const actor = actors[name];
    const allowed = await Promise.all(automations.map((id) => decided(actor, id)));
    for (const [permission, action] of ACTIONS) {
      const expected = automations.filter((_, i) => allowed[i]?.has(action)).sort();
      expect(await listed(actor, permission), `${name} / ${permission}`).toEqual(expected);
    }
  });

  it('the table is not trivial: each permission is allowed somewhere and denied somewhere', async () => {
    for (const [permission] of ACTIONS) {
      const counts = await Promise.all(names.map(async (name) => (await listed(actors[name], permission)).length));
      expect(Math.max(...counts)).toBe(automations.length);
      expect(Math.min(...counts)).toBe(0);
    }
  });
});
