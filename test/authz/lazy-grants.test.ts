import type { AddressInfo } from 'node:net';
import { sql } from 'kysely';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorizeUser } from '../../src/authz/authorize-request.js';
import { Authz } from '../../src/authz/authz.js';
import { FEATURE_COLUMN, FEATURES, MEMBER_DEFAULT_LEVELS, OWNER_LEVELS, type FeatureLevels } from '../../src/authz/features.js';
import { GrantNotLoadedError, LazyGrants } from '../../src/authz/lazy-grants.js';
import { PackedGrants, type GrantSummary } from '../../src/authz/packed-grants.js';
import type { Principal } from '../../src/authz/principal.js';
import { SecretBox } from '../../src/crypto/secret-box.js';
import { Gateway } from '../../src/http/gateway.js';
import { createOrganization } from '../../src/modules/organizations/create-organization.js';
import { findOrCreateUserByEmail } from '../../src/modules/users/users.repository.js';
import { addMember, createOrg, createRole, jwtFor, type OrgFixture } from '../support/fixtures.js';
import { startTestGateway, type GqlResponse, type TestGateway } from '../support/harness.js';

// Issue 16 §3, flat with memberships: a session's statement reads the user's summary
// (grant_summaries, kept by triggers) and, above AUTHZ_INLINE_ORGANIZATIONS, no organization's
// grant; a check reads an organization's grant after Authz.ensure loaded it. Three things must
// hold: the summary says what the grants say, after every kind of change; a session read that
// way answers exactly what one read whole answers; and a session in a thousand organizations
// costs a few statements, not a thousand entries.

let gw: TestGateway;
/** The same database behind a gateway that reads every session above 2 organizations on demand. */
let lazy: TestGateway;
let statements = 0;

async function post<T>(url: string, token: string, query: string, variables: Record<string, unknown>): Promise<GqlResponse<T>> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  const raw = await response.text();
  const body = JSON.parse(raw) as { data?: T | null; errors?: GqlResponse<T>['errors'] };
  return { status: response.status, data: body.data ?? null, errors: body.errors ?? [], raw };
}

beforeAll(async () => {
  // Every session whole here, whatever the run's AUTHZ_INLINE_ORGANIZATIONS.
  gw = await startTestGateway({ AUTHZ_INLINE_ORGANIZATIONS: '100000' }, { onQuery: () => void statements++ });
  const gateway = new Gateway({
    config: { ...gw.config, authzInlineOrganizations: 2 },
    db: gw.db,
    secrets: new SecretBox(gw.secretKey),
    logger: pino({ level: 'silent' }),
    cluster: null,
  });
  await gateway.start();
  const server = await gateway.listen(0, '127.0.0.1');
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
  lazy = {
    ...gw,
    url,
    gql: (token, query, variables = {}) => post(url, token ?? '', query, variables),
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await gateway.stop();
    },
  };
});

afterAll(async () => {
  await lazy?.close();
  await gw?.close();
});

interface Kept extends GrantSummary {
  organizationIds: number[];
}

/** The user's grant_summaries row, as a GrantSummary with its organizations. */
async function kept(userId: string): Promise<Kept | undefined> {
  const row = await gw.db.selectFrom('grantSummaries').selectAll().where('userId', '=', userId).executeTakeFirst();
  if (!row) return undefined;
  const levels = Object.fromEntries(FEATURES.map((feature) => [feature, row[FEATURE_COLUMN[feature]]])) as FeatureLevels;
  return {
    member: row.memberships > 0,
    owner: row.owner,
    levels,
    automationManageGrant: row.automationManageGrant,
    organizationIds: row.organizationIds === '' ? [] : row.organizationIds.split(',').map(Number),
  };
}

/** What the user's grants, read whole, say: PackedGrants.summary() over every entry. */
async function fromEntries(userId: string): Promise<Kept> {
  const authorized = await authorizeUser(gw.db, userId, 1_000_000_000);
  const grants = authorized?.grants;
  if (!(grants instanceof PackedGrants)) throw new Error('expected every entry');
  return { ...grants.summary(), organizationIds: [...grants.keys()].sort((a, b) => a - b) };
}

const NONE = Object.fromEntries(FEATURES.map((feature) => [feature, 'NO_ACCESS'])) as FeatureLevels;

describe('grant_summaries follows memberships, roles and automation grants', () => {
  let user: string;
  let a: OrgFixture;
  let b: OrgFixture;
  let roleA: string;
  let automationA: string;
  let otherA: string;
  let automationB: string;
  const grantIds: Record<string, string> = {};

  beforeAll(async () => {
    user = (await findOrCreateUserByEmail(gw.db, 'summarized@example.com', 'Summarized')).id;
    a = await createOrg(gw);
    b = await createOrg(gw);
    roleA = await createRole(gw, a.organizationId, { crews_dashboards: 'READ', tools: 'MANAGE' });
    const automation = (organizationId: number, name: string) =>
      gw.db
        .insertInto('automations')
        .values({ organizationId, name, description: '', visibility: 'PRIVATE', createdByUserId: null })
        .returning('id')
        .executeTakeFirstOrThrow();
    automationA = (await automation(a.organizationId, 'managed')).id;
    otherA = (await automation(a.organizationId, 'run')).id;
    automationB = (await automation(b.organizationId, 'managed')).id;
  });

  const grant = async (key: string, organizationId: number, resourceId: string, who: { userId?: string; roleId?: string }, permissions: string[]) => {
    const row = await gw.db
      .insertInto('entityGrants')
      .values({
        organizationId,
        resourceType: 'AUTOMATION',
        resourceId,
        userId: who.userId ?? null,
        roleId: who.roleId ?? null,
        serviceAccountId: null,
        permissions,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    grantIds[key] = row.id;
  };
  const setRole = (roleId: string, column: string, level: string) => sql`update roles set ${sql.ref(column)} = ${level} where id = ${roleId}`.execute(gw.db);

  // Each step changes something and says what the summary then holds; after each, the row also
  // equals what the grants read whole say.
  const STEPS: Array<[string, () => Promise<unknown>, (k: Kept | undefined) => void]> = [
    ['no membership: no row', async () => undefined, (k) => expect(k).toBeUndefined()],
    [
      'joins A with a custom role',
      () => gw.db.insertInto('memberships').values({ organizationId: a.organizationId, userId: user, roleId: roleA }).execute(),
      (k) => {
        expect(k).toMatchObject({ member: true, owner: false, automationManageGrant: false, organizationIds: [a.organizationId] });
        expect(k?.levels).toEqual({ ...NONE, crews_dashboards: 'READ', tools: 'MANAGE' });
      },
    ],
    [
      'joins B as a Member: the highest of both',
      () => gw.db.insertInto('memberships').values({ organizationId: b.organizationId, userId: user, roleId: b.memberRoleId }).execute(),
      (k) => {
        expect(k?.organizationIds).toEqual([a.organizationId, b.organizationId].sort((x, y) => x - y));
        expect(k?.levels).toEqual({ ...MEMBER_DEFAULT_LEVELS, tools: 'MANAGE' });
      },
    ],
    [
      "A's role gains organization_settings: MANAGE",
      () => setRole(roleA, 'organization_settings', 'MANAGE'),
      (k) => expect(k?.levels.organization_settings).toBe('MANAGE'),
    ],
    [
      'a run and traces grant to the user changes nothing',
      () => grant('run', a.organizationId, otherA, { userId: user }, ['run', 'traces']),
      (k) => expect(k?.automationManageGrant).toBe(false),
    ],
    [
      'a manage_settings grant to the user in A',
      () => grant('manage', a.organizationId, automationA, { userId: user }, ['manage_settings']),
      (k) => expect(k?.automationManageGrant).toBe(true),
    ],
    [
      "A's role loses crews_dashboards: the grant is out of reach",
      () => setRole(roleA, 'crews_dashboards', 'NO_ACCESS'),
      (k) => expect(k?.automationManageGrant).toBe(false),
    ],
    ["A's role gets crews_dashboards back", () => setRole(roleA, 'crews_dashboards', 'READ'), (k) => expect(k?.automationManageGrant).toBe(true)],
    [
      'the manage grant is removed',
      () =>
        gw.db
          .deleteFrom('entityGrants')
          .where('id', '=', grantIds.manage ?? '')
          .execute(),
      (k) => expect(k?.automationManageGrant).toBe(false),
    ],
    [
      "a full_access grant (an empty list) to B's Member role",
      () => grant('role', b.organizationId, automationB, { roleId: b.memberRoleId }, []),
      (k) => expect(k?.automationManageGrant).toBe(true),
    ],
    [
      'the role grant narrowed to run',
      () =>
        gw.db
          .updateTable('entityGrants')
          .set({ permissions: ['run'] })
          .where('id', '=', grantIds.role ?? '')
          .execute(),
      (k) => expect(k?.automationManageGrant).toBe(false),
    ],
    [
      'made Owner of B (a role change of the membership)',
      () => gw.db.updateTable('memberships').set({ roleId: b.ownerRoleId }).where('organizationId', '=', b.organizationId).where('userId', '=', user).execute(),
      (k) => {
        expect(k).toMatchObject({ owner: true, levels: OWNER_LEVELS });
      },
    ],
    [
      'leaves B',
      () => gw.db.deleteFrom('memberships').where('organizationId', '=', b.organizationId).where('userId', '=', user).execute(),
      (k) => {
        expect(k).toMatchObject({ owner: false, organizationIds: [a.organizationId] });
        expect(k?.levels).toEqual({ ...NONE, crews_dashboards: 'READ', tools: 'MANAGE', organization_settings: 'MANAGE' });
      },
    ],
    [
      'A is deleted',
      () => gw.db.deleteFrom('organizations').where('id', '=', a.organizationId).execute(),
      (k) => {
        expect(k).toMatchObject({ member: false, owner: false, levels: NONE, automationManageGrant: false, organizationIds: [] });
      },
    ],
    ['the user is deleted', () => gw.db.deleteFrom('users').where('id', '=', user).execute(), (k) => expect(k).toBeUndefined()],
  ];

  it.each(STEPS)('%s', async (_step, change, holds) => {
    await change();
    const row = await kept(user);
    holds(row);
    if (row) expect(row).toEqual(await fromEntries(user));
  });

  it('two transactions changing one user at once: the later one reads what the earlier committed', async () => {
    const someone = (await findOrCreateUserByEmail(gw.db, 'concurrent@example.com', 'Concurrent')).id;
    const [x, y, z] = [await createOrg(gw), await createOrg(gw), await createOrg(gw)];
    // A row to update: a first summary is inserted, and the insert alone would make the second wait.
    await gw.db.insertInto('memberships').values({ organizationId: z.organizationId, userId: someone, roleId: z.memberRoleId }).execute();
    const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    // The first holds its transaction open after its trigger ran; without the row lock, the second
    // would summarize without the first's membership and commit first.
    await Promise.all([
      gw.db.transaction().execute(async (trx) => {
        await trx.insertInto('memberships').values({ organizationId: x.organizationId, userId: someone, roleId: x.memberRoleId }).execute();
        await pause(300);
      }),
      pause(100).then(() => gw.db.insertInto('memberships').values({ organizationId: y.organizationId, userId: someone, roleId: y.ownerRoleId }).execute()),
    ]);
    const row = await kept(someone);
    expect(row?.organizationIds).toEqual([x.organizationId, y.organizationId, z.organizationId].sort((p, q) => p - q));
    expect(row).toEqual(await fromEntries(someone));
  });
});

describe('Authz with grants read on demand', () => {
  const session: Principal = { kind: 'user', userId: '00000000-0000-4000-8000-000000000001', email: 'a@example.com', emailVerified: true, name: 'A' };
  const summary: GrantSummary = { member: true, owner: false, levels: MEMBER_DEFAULT_LEVELS, automationManageGrant: false };
  const entry = (organizationId: number) => `${organizationId},00000000-0000-4000-8000-00000000000${organizationId},0000,RRRRRRMMNNM`;

  it('a member organization read before ensure() throws, naming it; after, it reads; others are not members without a read', async () => {
    const reads: number[][] = [];
    const authz = new Authz(
      session,
      new LazyGrants('7,8', 2, summary, async (ids) => {
        reads.push([...ids]);
        return new PackedGrants(ids.map(entry).join(';'));
      }),
    );
    expect(() => authz.grant(7)).toThrow(GrantNotLoadedError);
    expect(() => authz.level(7, 'tools')).toThrow(/organization 7 was read before it was loaded/);
    expect(authz.grant(9)).toBeUndefined();
    // What a rule asks before it decides without awaiting ensure(): only 9 answers now.
    expect([7, 8, 9].map((id) => authz.ensured(id))).toEqual([false, false, true]);
    await Promise.all([authz.ensure(7), authz.ensure([7, 8, 9])]);
    expect(reads).toEqual([[7, 8]]);
    expect([7, 8, 9].map((id) => authz.ensured(id))).toEqual([true, true, true]);
    expect(authz.level(7, 'tools')).toBe('READ');
    expect(authz.scope(8)?.roleId).toBe('00000000-0000-4000-8000-000000000008');
    await authz.ensure(8);
    expect(reads).toHaveLength(1);
    expect(authz.summary()).toBe(summary);
    expect(authz.organizationIds()).toEqual([7, 8]);
  });
});

describe('a session above the inline limit answers what one read whole answers', () => {
  let token: string;
  const organizations: Record<string, number> = {};
  let automation: string;
  let privateAutomation: string;

  beforeAll(async () => {
    const email = 'many@example.com';
    const user = await findOrCreateUserByEmail(gw.db, email, 'Many');
    token = await jwtFor(email);
    organizations.owned = (await createOrganization(gw.db, 'Owned by Many', user.id)).id;
    const member = await createOrg(gw);
    const custom = await createOrg(gw);
    const other = await createOrg(gw);
    organizations.member = member.organizationId;
    organizations.custom = custom.organizationId;
    organizations.other = other.organizationId;
    await gw.db.insertInto('memberships').values({ organizationId: member.organizationId, userId: user.id, roleId: member.memberRoleId }).execute();
    const agentsOnly = await createRole(gw, custom.organizationId, { agents: 'MANAGE', organization_settings: 'MANAGE' });
    await gw.db.insertInto('memberships').values({ organizationId: custom.organizationId, userId: user.id, roleId: agentsOnly }).execute();
    const insert = (organizationId: number, visibility: 'ORGANIZATION' | 'PRIVATE', name: string) =>
      gw.db
        .insertInto('automations')
        .values({ organizationId, name, description: '', visibility, createdByUserId: null })
        .returning('id')
        .executeTakeFirstOrThrow();
    automation = (await insert(member.organizationId, 'ORGANIZATION', 'shared crew')).id;
    privateAutomation = (await insert(member.organizationId, 'PRIVATE', 'private crew')).id;
    await gw.db
      .insertInto('entityGrants')
      .values({
        organizationId: member.organizationId,
        resourceType: 'AUTOMATION',
        resourceId: privateAutomation,
        userId: user.id,
        roleId: null,
        serviceAccountId: null,
        permissions: ['manage_settings'],
      })
      .execute();
    await insert(member.organizationId, 'PRIVATE', 'hidden crew');
    await addMember(gw, custom.organizationId, custom.memberRoleId);
    await addMember(gw, member.organizationId, member.memberRoleId);
    // Read on demand behind `lazy`, whole behind `gw`.
    expect((await authorizeUser(gw.db, user.id, 2))?.grants).toBeInstanceOf(LazyGrants);
    expect((await authorizeUser(gw.db, user.id, 100_000))?.grants).toBeInstanceOf(PackedGrants);
  });

  const ORGANIZATION = `query($id: ID!) { organization(id: $id) { id name viewerPermissions { isOwner role { name } features { feature level } } settings { plan } } }`;
  const AUTOMATIONS = `query($id: ID!) { organization(id: $id) { automations(first: 20) { totalCount edges { node { name visibility viewerPermissions { permission allowed } } } } } }`;
  const AUTOMATION = `query($id: ID!, $automation: ID!) { organization(id: $id) { automation(id: $automation) { name accessList { permissions } } } }`;
  const UPDATE = `mutation($automation: ID!) { updateAutomation(id: $automation, input: { description: "changed" }) { description } }`;
  const CREATE_AGENT = `mutation($id: ID!, $name: String!) { createAgent(organizationId: $id, input: { name: $name }) { __typename } }`;
  let agents = 0;
  const VIEWER = `{ viewer { memberships { organization { name } role { name } } } }`;
  const MEMBERS = `query($id: ID!) { organization(id: $id) { members(first: 50) { edges { node { user { name email } role { name } } } } } }`;

  const CASES: Array<[string, string, () => Record<string, unknown>]> = [
    ['the organization it owns', ORGANIZATION, () => ({ id: String(organizations.owned) })],
    ['an organization it is a Member of', ORGANIZATION, () => ({ id: String(organizations.member) })],
    ['an organization with a custom role', ORGANIZATION, () => ({ id: String(organizations.custom) })],
    ['an organization it is not in (NOT_FOUND)', ORGANIZATION, () => ({ id: String(organizations.other) })],
    ['automations, with a private one it may manage', AUTOMATIONS, () => ({ id: String(organizations.member) })],
    ['automations where crews_dashboards is NO_ACCESS (FORBIDDEN)', AUTOMATIONS, () => ({ id: String(organizations.custom) })],
    ['one automation and its access list', AUTOMATION, () => ({ id: String(organizations.member), automation: privateAutomation })],
    ['one automation without manage_settings (accessList FORBIDDEN)', AUTOMATION, () => ({ id: String(organizations.member), automation })],
    ['a mutation it may make (manage_settings by grant)', UPDATE, () => ({ automation: privateAutomation })],
    ['a mutation it may not make', UPDATE, () => ({ automation })],
    ['createAgent with agents: MANAGE', CREATE_AGENT, () => ({ id: String(organizations.custom), name: `Agent ${++agents}` })],
    ['createAgent with agents: READ (FORBIDDEN)', CREATE_AGENT, () => ({ id: String(organizations.member), name: `Agent ${++agents}` })],
    ["the viewer's organizations", VIEWER, () => ({})],
    ["members' emails where it manages members", MEMBERS, () => ({ id: String(organizations.custom) })],
    ["members' emails where it does not (FORBIDDEN but its own)", MEMBERS, () => ({ id: String(organizations.member) })],
  ];

  const shape = (response: GqlResponse<Record<string, unknown>>) => ({
    data: response.data,
    errors: response.errors
      .map((error) => ({ code: error.extensions?.code, path: error.path }))
      .sort((p, q) => JSON.stringify(p).localeCompare(JSON.stringify(q))),
  });

  it.each(CASES)('%s', async (_what, query, variables) => {
    const whole = shape(await gw.gql(token, query, variables()));
    const onDemand = shape(await lazy.gql(token, query, variables()));
    expect(onDemand).toEqual(whole);
    // Nothing failed for want of a loaded grant (that would be a FORBIDDEN or an internal error).
    expect(JSON.stringify(onDemand)).not.toContain('INTERNAL_SERVER_ERROR');
  });

  it('says what each organization holds (the table above is not vacuous)', async () => {
    const owned = await lazy.gql<{ organization: { viewerPermissions: { isOwner: boolean } } }>(token, ORGANIZATION, { id: String(organizations.owned) });
    expect(owned.data?.organization.viewerPermissions.isOwner).toBe(true);
    const other = await lazy.gql(token, ORGANIZATION, { id: String(organizations.other) });
    expect(other.errors.map((e) => e.extensions?.code)).toEqual(['NOT_FOUND']);
    const automations = await lazy.gql<{ organization: { automations: { totalCount: number } } }>(token, AUTOMATIONS, { id: String(organizations.member) });
    expect(automations.data?.organization.automations.totalCount).toBe(2);
    const viewer = await lazy.gql<{ viewer: { memberships: unknown[] } }>(token, VIEWER);
    expect(viewer.data?.viewer.memberships).toHaveLength(3);
  });
});

describe('a session in a thousand organizations costs a few statements', () => {
  const SMALL = `query($id: ID!, $automation: ID!) { viewer { user { id email } } organization(id: $id) { id name automation(id: $automation) { id name visibility } } }`;
  let organizationId: number;
  let automation: string;
  let single: string;
  let multi: string;

  beforeAll(async () => {
    const tenant = await createOrg(gw);
    organizationId = tenant.organizationId;
    automation = (
      await gw.db
        .insertInto('automations')
        .values({ organizationId, name: 'crew', description: '', visibility: 'ORGANIZATION', createdByUserId: null })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;
    const one = await findOrCreateUserByEmail(gw.db, 'single@example.com', 'Single');
    const many = await findOrCreateUserByEmail(gw.db, 'thousand@example.com', 'Thousand');
    for (const user of [one, many]) await gw.db.insertInto('memberships').values({ organizationId, userId: user.id, roleId: tenant.memberRoleId }).execute();
    // 999 more organizations, each with a Member role like the tenant's, in bulk.
    const levels = sql.join(FEATURES.map((feature) => sql.ref(feature)));
    await sql`insert into organizations (name) select 'bulk ' || g from generate_series(1, 999) g`.execute(gw.db);
    await sql`insert into roles (organization_id, name, kind, ${levels})
      select o.id, r.name, r.kind, ${sql.join(FEATURES.map((feature) => sql.ref(`r.${feature}`)))} from organizations o, roles r
      where o.name like 'bulk %' and r.id = ${tenant.memberRoleId}`.execute(gw.db);
    await sql`insert into memberships (organization_id, user_id, role_id)
      select r.organization_id, ${many.id}, r.id from roles r join organizations o on o.id = r.organization_id where o.name like 'bulk %'`.execute(gw.db);
    expect((await kept(many.id))?.organizationIds).toHaveLength(1000);
    [single, multi] = await Promise.all([jwtFor(one.email), jwtFor(many.email)]);
  });

  async function counted(token: string, query: string, variables: Record<string, unknown> = {}): Promise<number> {
    const before = statements;
    const response = await lazy.gql(token, query, variables);
    expect(response.errors).toEqual([]);
    return statements - before;
  }

  it('the small query: at most one statement more than in one organization (the organization it touches)', async () => {
    const variables = { id: String(organizationId), automation };
    // Warm: the first request of a permission set builds its schema, and a user's first JWT is recorded.
    await counted(single, SMALL, variables);
    await counted(multi, SMALL, variables);
    const one = await counted(single, SMALL, variables);
    const thousand = await counted(multi, SMALL, variables);
    expect(thousand).toBeLessThanOrEqual(one + 1);
  });

  it("the viewer's thousand organizations: every grant in one statement", async () => {
    const VIEWER = `{ viewer { memberships { organization { id } role { name } } } }`;
    await counted(single, VIEWER);
    const one = await counted(single, VIEWER);
    const thousand = await counted(multi, VIEWER);
    expect(thousand).toBeLessThanOrEqual(one + 1);
  });

  it('the summary answers what the thousand entries answer', async () => {
    const many = await gw.db.selectFrom('users').select('id').where('email', '=', 'thousand@example.com').executeTakeFirstOrThrow();
    expect(await kept(many.id)).toEqual(await fromEntries(many.id));
  });
});
