import { getNamedType, isObjectType, type GraphQLSchema } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildExecutableSchema } from '../../src/graphql/schema.js';
import { insertExecution } from '../../src/modules/executions/executions.repository.js';
import { insertHitlRequest } from '../../src/modules/hitl/hitl.repository.js';
import { connectRepo, deployNew } from '../support/automation-fixtures.js';
import { storeSpans } from '../support/execution-fixtures.js';
import { expectAllowed, expectDenied } from '../support/expect.js';
import { addMember, addServiceAccount, createOrg, createRole, type Actor, type OrgFixture } from '../support/fixtures.js';
import { startTestGateway, type TestGateway } from '../support/harness.js';
import { fieldsOf, introspect, selectAll } from '../visible-schema/schema-walk.js';

// Issue 11 "Done when", SPEC §6: a service account whose role is crews_dashboards READ, with a
// token scoped to TRACES on one automation, pages that automation's executions and spans and is
// refused everything else: other automations (organization-visible ones included), every
// mutation, members' emails, human-in-the-loop requests of other automations.
let gw: TestGateway;
let org: OrgFixture;
let partner: Actor;
let scopedToken: string;
const full: GraphQLSchema = buildExecutableSchema();
const ids = { inScope: '', shared: '', confined: '', inScopeRun: '', sharedRun: '', confinedRun: '' };
const SPANS = 3;

const CREATE = `mutation($o: ID!, $input: CreateApiTokenInput!) { createApiToken(organizationId: $o, input: $input) {
  secret apiToken { id scope { automationIds permissions } } } }`;

async function recordRun(automationId: string): Promise<string> {
  const row = await insertExecution(gw.db, {
    organizationId: org.organizationId,
    automationId,
    deploymentId: null,
    inputs: '{}',
    status: 'SUCCEEDED',
    error: null,
  });
  const start = Date.UTC(2026, 10, 30, 12);
  await storeSpans(
    gw.db,
    org.organizationId,
    row.id,
    Array.from({ length: SPANS }, (_, i) => ({ name: `step ${i}`, start: start + i, end: start + i + 1 })),
  );
  const deployment = await gw.db.selectFrom('automationDeployments').select('id').where('automationId', '=', automationId).executeTakeFirstOrThrow();
  await insertHitlRequest(
    gw.db,
    { organizationId: org.organizationId, automationId, deploymentId: deployment.id, executionId: row.id, question: 'Go?', context: '{}', callbackPath: null },
    3600,
  );
  return row.id;
}

beforeAll(async () => {
  // The walk selects every field at once: the request limits are raised for it.
  gw = await startTestGateway({ MAX_QUERY_COST: '100000000', MAX_QUERY_TOKENS: '1000000', MAX_QUERY_DEPTH: '20', MAX_QUERY_ALIASES: '1000' });
  org = await createOrg(gw);
  const repo = await connectRepo(gw, org.owner.token, org.organizationId);
  ids.inScope = (await deployNew(gw, org.owner.token, org.organizationId, repo)).automationId;
  ids.shared = (await deployNew(gw, org.owner.token, org.organizationId, repo)).automationId;
  ids.confined = (await deployNew(gw, org.owner.token, org.organizationId, repo, { visibility: 'PRIVATE' })).automationId;
  partner = await addServiceAccount(gw, org.organizationId, await createRole(gw, org.organizationId, { crews_dashboards: 'READ' }, 'Partner'));
  // The partner's principal may do everything on the private one: the scope still keeps it out.
  await expectAllowed(
    gw,
    org.owner.token,
    'mutation($id: ID!, $sa: ID!) { setAutomationAccess(id: $id, visibility: PRIVATE, access: [{ principalType: SERVICE_ACCOUNT, principalId: $sa }]) { id } }',
    {
      id: ids.confined,
      sa: partner.serviceAccountId,
    },
  );
  await addMember(gw, org.organizationId, org.memberRoleId);
  ids.inScopeRun = await recordRun(ids.inScope);
  ids.sharedRun = await recordRun(ids.shared);
  ids.confinedRun = await recordRun(ids.confined);
  const created = await expectAllowed<{ createApiToken: { secret: string; apiToken: { scope: unknown } } }>(gw, org.owner.token, CREATE, {
    o: String(org.organizationId),
    input: { name: 'partner traces', serviceAccountId: partner.serviceAccountId, scope: { automationIds: [ids.inScope], permissions: ['TRACES'] } },
  });
  expect(created.createApiToken.apiToken.scope).toEqual({ automationIds: [ids.inScope], permissions: ['TRACES'] });
  scopedToken = created.createApiToken.secret;
});
afterAll(async () => gw.close());

const o = () => String(org.organizationId);

describe('a token scoped to TRACES on one automation', () => {
  it("pages that automation's executions and spans", async () => {
    const query = `query($o: ID!, $a: ID!, $after: String) { organization(id: $o) { automation(id: $a) { id
      executions(first: 10) { totalCount edges { node { id spans(first: 2, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { node { name } } } } } } } } }`;
    type Page = {
      organization: {
        automation: {
          executions: {
            totalCount: number;
            edges: Array<{
              node: {
                id: string;
                spans: { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string }; edges: Array<{ node: { name: string } }> };
              };
            }>;
          };
        };
      };
    };
    const first = await expectAllowed<Page>(gw, scopedToken, query, { o: o(), a: ids.inScope, after: null });
    const executions = first.organization.automation.executions;
    expect(executions.totalCount).toBe(1);
    expect(executions.edges[0]?.node.id).toBe(ids.inScopeRun);
    const spans = executions.edges[0]?.node.spans;
    expect(spans?.totalCount).toBe(SPANS);
    expect(spans?.pageInfo.hasNextPage).toBe(true);
    const second = await expectAllowed<Page>(gw, scopedToken, query, { o: o(), a: ids.inScope, after: spans?.pageInfo.endCursor });
    expect(second.organization.automation.executions.edges[0]?.node.spans.edges.map((e) => e.node.name)).toEqual(['step 2']);
  });

  it('lists only that automation, and no human-in-the-loop request (its scope has no human_in_the_loop)', async () => {
    const data = await expectAllowed<{
      organization: { automations: { totalCount: number; edges: Array<{ node: { id: string } }> }; pendingHitlRequests: { totalCount: number } };
    }>(
      gw,
      scopedToken,
      'query($o: ID!) { organization(id: $o) { automations(first: 50) { totalCount edges { node { id } } } pendingHitlRequests { totalCount } } }',
      { o: o() },
    );
    expect(data.organization.automations).toEqual({ totalCount: 1, edges: [{ node: { id: ids.inScope } }] });
    expect(data.organization.pendingHitlRequests.totalCount).toBe(0);
  });

  // Each of these exists for the unscoped partner; for the scoped token it does not.
  it.each([
    ['an organization-visible automation outside the scope', 'automation(id: $id) { id }', () => ids.shared],
    ['a private automation its principal is whitelisted on', 'automation(id: $id) { id }', () => ids.confined],
    ['an execution of an automation outside the scope', 'execution(id: $id) { id }', () => ids.sharedRun],
    ['an execution of the private automation', 'execution(id: $id) { id }', () => ids.confinedRun],
  ])('%s is NOT_FOUND, as for the unscoped token it is not', async (_what, field, id) => {
    const query = `query($o: ID!, $id: ID!) { organization(id: $o) { ${field} } }`;
    await expectAllowed(gw, partner.token, query, { o: o(), id: id() });
    const denied = await expectDenied(gw, scopedToken, query, { o: o(), id: id() }, 'NOT_FOUND');
    expect(denied.errors[0]?.message).not.toContain(id().slice(0, 0) || 'private');
  });

  // Webhooks are the one thing a scoped token may register (issue 11: "and scoped tokens, within
  // their scope"): they notify it of its own automations, and change nothing else.
  const isWebhookField = (field: string) => /webhook/i.test(field);

  it('its schema has no mutation but its webhooks: each other mutation of the full schema fails validation as an unknown field', async () => {
    const visible = await introspect(gw, scopedToken);
    const mutations = Object.keys(visible.getMutationType()?.getFields() ?? {});
    expect(mutations.filter((name) => !isWebhookField(name))).toEqual([]);
    for (const name of Object.keys(full.getMutationType()?.getFields() ?? {}).filter((name) => !mutations.includes(name))) {
      const response = await gw.gql(scopedToken, `mutation { ${name} }`);
      expect(response.status, name).toBe(400);
      expect(
        response.errors.map((e) => e.extensions?.code),
        name,
      ).toContain('GRAPHQL_VALIDATION_FAILED');
    }
  });

  it('its schema reaches nothing outside automations, executions, spans and human-in-the-loop requests', async () => {
    const visible = await introspect(gw, scopedToken);
    const unscoped = fieldsOf(await introspect(gw, partner.token));
    const seen = fieldsOf(visible);
    expect([...seen].filter((f) => !unscoped.has(f) && !isWebhookField(f))).toEqual([]);
    for (const field of [
      'Organization.members',
      'Organization.roles',
      'Organization.envVars',
      'Organization.llmConnections',
      'Organization.tools',
      'Organization.viewerApiTokens',
      'Organization.usage',
      'User.email',
    ]) {
      expect(seen.has(field), field).toBe(false);
    }
    // Every field it does show answers without an error, walked from the organization.
    const organization = visible.getType('Organization');
    if (!isObjectType(organization)) throw new Error('no Organization type');
    const response = await gw.gql(scopedToken, `query($o: ID!) { organization(id: $o) { ${selectAll(organization, 5)} } }`, { o: o() });
    expect(response.errors).toEqual([]);
    // No type of another domain is reachable at all (its own Role and ServiceAccount are, through
    // Query.viewer and Organization.viewerPermissions: who the caller is).
    const types = Object.values(visible.getTypeMap())
      .filter((t) => isObjectType(t) && !t.name.startsWith('__'))
      .map((t) => t.name);
    for (const type of [
      'Membership',
      'EnvVar',
      'LLMConnection',
      'GitRepo',
      'Tool',
      'Agent',
      'StudioProject',
      'TrainingRun',
      'ApiToken',
      'Invitation',
      'AuditEntry',
      'Usage',
    ]) {
      expect(types, type).not.toContain(type);
    }
    expect(getNamedType(visible.getQueryType()?.getFields().organization?.type ?? full.getQueryType()!.getFields().viewer!.type).name).toBe('Organization');
  });

  it('the upload endpoint refuses it', async () => {
    const response = await fetch(new URL(`/uploads/automation-archives?organizationId=${o()}`, gw.url), {
      method: 'POST',
      headers: { authorization: `Bearer ${scopedToken}`, 'content-type': 'application/zip' },
      body: new Uint8Array([0x50, 0x4b, 0x05, 0x06, ...new Array(18).fill(0)]),
    });
    expect(response.status).toBe(403);
    expect(await response.text()).toContain('scoped API token');
  });
});

describe('creating a scoped token', () => {
  const scoped = (scope: Record<string, unknown>) => ({ o: o(), input: { name: 'scoped', serviceAccountId: partner.serviceAccountId, scope } });

  it.each([
    ['no automation', () => ({ automationIds: [], permissions: ['TRACES'] }), 'scope.automationIds'],
    ['no permission', () => ({ automationIds: [ids.inScope], permissions: [] }), 'scope.permissions'],
    ["another organization's automation", () => ({ automationIds: [ids.inScope, otherOrgAutomation], permissions: ['TRACES'] }), 'scope.automationIds[1]'],
    ['an id that is no automation', () => ({ automationIds: ['00000000-0000-4000-8000-000000000000'], permissions: ['RUN'] }), 'scope.automationIds[0]'],
  ])('%s is BAD_USER_INPUT naming the field', async (_what, scope, field) => {
    const denied = await expectDenied(gw, org.owner.token, CREATE, scoped(scope()), 'BAD_USER_INPUT');
    expect(denied.errors[0]?.extensions?.field).toBe(field);
  });

  it('an unknown permission is refused by the schema', async () => {
    const response = await gw.gql(org.owner.token, CREATE, scoped({ automationIds: [ids.inScope], permissions: ['EVERYTHING'] }));
    expect(response.errors.map((e) => e.extensions?.code)).toContain('BAD_USER_INPUT');
    expect(response.errors[0]?.message).toContain('EVERYTHING');
  });

  it('a scoped token cannot create another token, so a scope is never widened', async () => {
    const response = await gw.gql(scopedToken, CREATE, { o: o(), input: { name: 'wider' } });
    expect(response.status).toBe(400);
    expect(response.errors.map((e) => e.extensions?.code)).toContain('GRAPHQL_VALIDATION_FAILED');
    expect(response.errors.map((e) => e.message).join('\n')).toMatch(/Cannot query field "createApiToken"|Unknown type "CreateApiTokenInput"/);
  });

  it("works for people too: a Member's own token scoped to RUN can run, not read traces", async () => {
    const member = await addMember(gw, org.organizationId, org.memberRoleId);
    const created = await expectAllowed<{ createApiToken: { secret: string } }>(gw, member.token, CREATE, {
      o: o(),
      input: { name: 'runner', scope: { automationIds: [ids.inScope], permissions: ['RUN'] } },
    });
    const token = created.createApiToken.secret;
    const spans = `query($o: ID!, $id: ID!) { organization(id: $o) { execution(id: $id) { id } } }`;
    const hidden = await gw.gql(token, spans, { o: o(), id: ids.inScopeRun });
    expect(hidden.status).toBe(400);
    const viewer = await expectAllowed<{
      organization: { automation: { viewerPermissions: Array<{ permission: string; allowed: boolean; reason: string }> } };
    }>(gw, token, 'query($o: ID!, $a: ID!) { organization(id: $o) { automation(id: $a) { viewerPermissions { permission allowed reason } } } }', {
      o: o(),
      a: ids.inScope,
    });
    const decisions = Object.fromEntries(viewer.organization.automation.viewerPermissions.map((d) => [d.permission, [d.allowed, d.reason]]));
    expect(decisions).toMatchObject({
      VIEW: [true, 'ROLE_LEVEL'],
      RUN: [true, 'ROLE_LEVEL'],
      TRACES: [false, 'TOKEN_SCOPE'],
      MANAGE_SETTINGS: [false, 'MISSING_GRANT'],
    });
  });
});

let otherOrgAutomation = '';
beforeAll(async () => {
  const other = await createOrg(gw);
  otherOrgAutomation = (await deployNew(gw, other.owner.token, other.organizationId, await connectRepo(gw, other.owner.token, other.organizationId)))
    .automationId;
});
