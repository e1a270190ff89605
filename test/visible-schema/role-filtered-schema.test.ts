import { getNamedType, isEnumType, isNonNullType, isObjectType, type GraphQLField, type GraphQLSchema } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildExecutableSchema } from '../../src/graphql/schema.js';
import { insertExecution } from '../../src/modules/executions/executions.repository.js';
import { connectRepo, deployNew } from '../support/automation-fixtures.js';
import { expectAllowed } from '../support/expect.js';
import { addMember, addServiceAccount, createOrg, createRole, createTemplateRole, type Actor, type OrgFixture } from '../support/fixtures.js';
import { startTestGateway, type TestGateway } from '../support/harness.js';
import { fieldsOf, introspect, mutationNames, nest, pathTo, selectAll } from './schema-walk.js';

// Issue 6 §3: each principal sees, in introspection and validation, exactly the fields its role and
// grants can reach; a field outside its schema fails validation as one that does not exist.
let gw: TestGateway;
let org: OrgFixture;
const principals: Record<string, Actor> = {};
const full: GraphQLSchema = buildExecutableSchema();

beforeAll(async () => {
  // The walk selects every field at once: the request limits are raised for it, not for probes.
  gw = await startTestGateway({ MAX_QUERY_COST: '100000000', MAX_QUERY_TOKENS: '1000000', MAX_QUERY_DEPTH: '20', MAX_QUERY_ALIASES: '1000' });
  org = await createOrg(gw);
  const repo = await connectRepo(gw, org.owner.token, org.organizationId);
  const shared = await deployNew(gw, org.owner.token, org.organizationId, repo);
  const confined = await deployNew(gw, org.owner.token, org.organizationId, repo, { visibility: 'PRIVATE' });
  for (const automationId of [shared.automationId, confined.automationId]) {
    await insertExecution(gw.db, { organizationId: org.organizationId, automationId, deploymentId: null, inputs: '{}', status: 'SUCCEEDED', error: null });
  }
  principals.Owner = org.owner;
  principals.Member = await addMember(gw, org.organizationId, org.memberRoleId);
  for (const template of ['DEVELOPER', 'VIEWER', 'OPS'] as const) {
    principals[template] = await addMember(gw, org.organizationId, await createTemplateRole(gw, org.organizationId, template));
  }
  const partner = await addServiceAccount(gw, org.organizationId, await createRole(gw, org.organizationId, { crews_dashboards: 'READ' }, 'Partner'));
  await expectAllowed(
    gw,
    org.owner.token,
    'mutation($id: ID!, $sa: ID!) { setAutomationAccess(id: $id, visibility: PRIVATE, access: [{ principalType: SERVICE_ACCOUNT, principalId: $sa, permissions: [TRACES] }]) { id } }',
    { id: confined.automationId, sa: partner.serviceAccountId },
  );
  principals['partner token'] = partner;
});
afterAll(async () => gw.close());

const o = () => String(org.organizationId);

/** Literal arguments for the required ones: validation only needs them well typed. */
function requiredArgs(field: GraphQLField<unknown, unknown>): string {
  const given = field.args
    .filter((arg) => isNonNullType(arg.type))
    .flatMap((arg) => {
      const named = getNamedType(arg.type);
      if (arg.name === 'id' && field.name === 'organization') return [`id: "${o()}"`];
      if (isEnumType(named)) return [`${arg.name}: ${named.getValues()[0]?.name ?? ''}`];
      const literal = { ID: '"00000000-0000-4000-8000-000000000000"', String: '"x"', Int: '1', Boolean: 'true' }[named.name];
      return literal ? [`${arg.name}: ${literal}`] : [];
    });
  return given.length > 0 ? `(${given.join(', ')})` : '';
}

const UNKNOWN = /^Cannot query field "(\w+)" on type "(\w+)"\.( Did you mean .*)?$/;

describe.each(['Owner', 'Member', 'DEVELOPER', 'VIEWER', 'OPS', 'partner token'])('the schema of %s', (name) => {
  let visible: GraphQLSchema;
  beforeAll(async () => {
    visible = await introspect(gw, principals[name]?.token ?? '');
  });

  it('is a strict part of the whole schema', () => {
    const seen = fieldsOf(visible);
    const all = fieldsOf(full);
    for (const field of seen) expect(all.has(field), field).toBe(true);
    expect(seen.size).toBeLessThan(all.size);
  });

  it('can be used: every field it shows, walked from the organization, answers without an error', async () => {
    const organization = visible.getType('Organization');
    const viewer = visible.getQueryType()?.getFields().viewer;
    if (!isObjectType(organization) || !viewer) throw new Error("Organization and viewer are in every member's schema");
    const viewerType = getNamedType(viewer.type);
    if (!isObjectType(viewerType)) throw new Error('viewer is an object');
    const response = await gw.gql(
      principals[name]?.token,
      `query($o: ID!) { organization(id: $o) { ${selectAll(organization, 4)} } viewer { ${selectAll(viewerType, 3)} } }`,
      { o: o() },
    );
    expect(response.errors).toEqual([]);
    expect(response.data).not.toBeNull();
  });

  it('hides the rest: every field outside it fails validation exactly as a field that does not exist', async () => {
    const seen = fieldsOf(visible);
    const hiddenByType = new Map<string, string[]>();
    for (const field of fieldsOf(full)) {
      if (seen.has(field)) continue;
      const [type = '', fieldName = ''] = field.split('.');
      hiddenByType.set(type, [...(hiddenByType.get(type) ?? []), fieldName]);
    }
    expect(hiddenByType.size).toBeGreaterThan(0);
    for (const [type, fields] of hiddenByType) {
      if (!visible.getType(type)) {
        // A type none of whose fields it may read is not in its schema at all.
        const asked = await gw.gql<{ __type: unknown }>(principals[name]?.token, `{ __type(name: "${type}") { name } }`);
        expect(asked.data?.__type, type).toBeNull();
        continue;
      }
      const root = type === 'Mutation' ? visible.getMutationType() : visible.getQueryType();
      if (!root) throw new Error(`no root for ${type}`);
      const path = pathTo(visible, root, type, requiredArgs);
      if (path === null) throw new Error(`${type} is in the schema of ${name} but not reachable`);
      const selection = nest(path, [...fields, 'noSuchFieldAnywhere'].join(' '));
      const response = await gw.gql(principals[name]?.token, `${type === 'Mutation' ? 'mutation' : 'query'} { ${selection} }`);
      expect(response.status).toBe(400);
      expect(response.data).toBeNull();
      const unknown = response.errors.map((e) => UNKNOWN.exec(e.message)).filter((m) => m !== null);
      // The hidden fields and the field that exists nowhere get the same error, in the same form.
      expect(unknown.map((m) => `${m[2]}.${m[1]}`).sort()).toEqual([...fields, 'noSuchFieldAnywhere'].map((f) => `${type}.${f}`).sort());
      for (const error of response.errors) expect(error.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    }
  });
});

describe('what each role sees follows the SPEC tables', () => {
  it.each([
    [
      'Owner',
      ['createEnvVar', 'createTool', 'inviteMember', 'createRole', 'updateUsageBudget', 'redeployAutomation'],
      ['setFeatureFlag', 'createOrganization'],
    ],
    [
      'Member',
      ['createEnvVar', 'createStudioProject', 'runAutomation'],
      ['createTool', 'inviteMember', 'createRole', 'redeployAutomation', 'updateUsageBudget'],
    ],
    ['VIEWER', ['runAutomation'], ['createEnvVar', 'createTool', 'createStudioProject', 'inviteMember']],
    ['partner token', ['runAutomation'], ['createEnvVar', 'createRole', 'redeployAutomation', 'setAutomationAccess', 'createApiToken']],
  ])('%s: shows %j, hides %j', async (name, shown, hidden) => {
    const names = await mutationNames(gw, principals[name]?.token ?? '');
    for (const field of shown) expect(names, field).toContain(field);
    for (const field of hidden) expect(names, field).not.toContain(field);
  });
});

describe('without a token', () => {
  it('there is no introspection: 401 UNAUTHENTICATED before anything is parsed', async () => {
    const response = await gw.gql(undefined, '{ __schema { queryType { name } } }');
    expect(response.status).toBe(401);
    expect(response.data).toBeNull();
    expect(response.errors.map((e) => e.extensions?.code)).toEqual(['UNAUTHENTICATED']);
  });

  it('a field that exists and one that does not get the same answer', async () => {
    const real = await gw.gql(undefined, '{ viewer { email } }');
    const made_up = await gw.gql(undefined, '{ noSuchField }');
    expect([real.status, made_up.status]).toEqual([401, 401]);
    expect(real.errors).toEqual(made_up.errors.map((e) => ({ ...e, extensions: { ...e.extensions, requestId: real.errors[0]?.extensions?.requestId } })));
  });
});

describe('a role change', () => {
  it('changes the schema at the very next request, both ways', async () => {
    const member = principals.Member;
    if (!member) throw new Error('member fixture');
    const roleId = org.memberRoleId;
    const setTools = (level: string) =>
      expectAllowed(
        gw,
        org.owner.token,
        'mutation($id: ID!, $level: PermissionLevel!) { updateRole(id: $id, input: { features: [{ feature: tools, level: $level }] }) { id } }',
        { id: roleId, level },
      );
    expect(await mutationNames(gw, member.token)).not.toContain('createTool');
    await setTools('MANAGE');
    expect(await mutationNames(gw, member.token)).toContain('createTool');
    await setTools('READ');
    expect(await mutationNames(gw, member.token)).not.toContain('createTool');
  });
});
