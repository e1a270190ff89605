import { Kind, parse } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Feature, Level } from '../../src/authz/features.js';
import { addMember, createOrg, createRole, createTemplateRole, jwtFor, type OrgFixture } from '../support/fixtures.js';
import { startTestGateway, type TestGateway } from '../support/harness.js';
import { expectHidden } from '../support/expect.js';
import { FEATURE_OPERATIONS } from './feature-operations.js';

// SPEC §2, transcribed: the feature table with its allowed levels, and the roles' levels
// (Owner, Member default, and the three templates of rbac-docs-source.txt "Common Role Patterns",
// Ops with organization_settings corrected to NO_ACCESS).
const M = 'MANAGE' as const;
const R = 'READ' as const;
const N = 'NO_ACCESS' as const;
//                                         allowed       Owner Member Developer Viewer Ops
const SPEC_TABLE: Array<[Feature, Level[], Level, Level, Level, Level, Level]> = [
  ['usage_dashboards', [M, R, N], M, R, R, R, M],
  ['crews_dashboards', [M, R, N], M, R, M, R, M],
  ['invitations', [M, R, N], M, R, R, N, M],
  ['training_ui', [M, R, N], M, R, R, R, R],
  ['tools', [M, R, N], M, R, M, R, R],
  ['agents', [M, R, N], M, R, M, R, R],
  ['environment_variables', [M, N], M, M, M, N, M],
  ['llm_connections', [M, N], M, M, M, N, M],
  ['default_settings', [M, N], M, N, N, N, M],
  ['organization_settings', [M, N], M, N, N, N, N],
  ['studio_projects', [M, N], M, M, M, N, N],
];
const RANK: Record<Level, number> = { NO_ACCESS: 0, READ: 1, MANAGE: 2 };
const atLeast = (held: Level, needed: Level) => RANK[held] >= RANK[needed];
const highest = (levels: readonly Level[]): Level => levels.reduce<Level>((best, level) => (atLeast(level, best) ? level : best), 'NO_ACCESS');

/**
 * The outcome of an operation that needs `needed`, for a principal holding `here` in the
 * organization it acts in and `everywhere` in each of its organizations (issue 6, role-filtered
 * schema): below the needed level in every organization the field is not in its schema (it fails
 * validation as an unknown field); in its schema but below the level here, FORBIDDEN naming the
 * feature and level; otherwise allowed. An API token acts in one organization only, so for it
 * `everywhere` is `[here]`.
 */
type Outcome = 'allowed' | 'forbidden' | 'hidden';
function outcomeOf(needed: Level, here: Level, everywhere: readonly Level[] = [here]): Outcome {
  if (atLeast(here, needed)) return 'allowed';
  return atLeast(highest(everywhere), needed) ? 'forbidden' : 'hidden';
}

let gw: TestGateway;
let org: OrgFixture;
let n = 0;

function operation(feature: Feature, kind: 'read' | 'manage') {
  const op = kind === 'read' ? FEATURE_OPERATIONS[feature].read : FEATURE_OPERATIONS[feature].manage;
  if (!op) throw new Error(`${feature} has no ${kind} operation`);
  return op;
}

/** What the feature gates: the root field, or the field selected in `organization(id:)`. */
function gatedField(query: string): string {
  const definition = parse(query).definitions[0];
  if (definition?.kind !== Kind.OPERATION_DEFINITION) throw new Error(`no operation in ${query}`);
  const root = definition.selectionSet.selections[0];
  if (root?.kind !== Kind.FIELD) throw new Error(`no root field in ${query}`);
  if (root.name.value !== 'organization') return root.name.value;
  const inner = root.selectionSet?.selections[0];
  if (inner?.kind !== Kind.FIELD) throw new Error(`no organization field in ${query}`);
  return inner.name.value;
}

async function expectOutcome(token: string, feature: Feature, kind: 'read' | 'manage', outcome: Outcome, organizationId = org.organizationId) {
  const op = operation(feature, kind);
  const variables = op.variables(organizationId, ++n);
  if (outcome === 'hidden') {
    await expectHidden(gw, token, op.query, variables, gatedField(op.query));
    return;
  }
  const response = await gw.gql(token, op.query, variables);
  if (outcome === 'allowed') {
    expect(response.errors, `${feature} ${kind} should be allowed`).toEqual([]);
  } else {
    expect(
      response.errors.map((e) => e.extensions?.code),
      `${feature} ${kind} should be FORBIDDEN`,
    ).toEqual(['FORBIDDEN']);
    expect(response.errors[0]?.message).toContain(feature);
    expect(JSON.stringify(response.data)).not.toMatch(/"(totalCount|plan|alertThresholdPercent|defaultRunTimeoutSeconds|id)":/);
  }
}

beforeAll(async () => {
  gw = await startTestGateway();
  org = await createOrg(gw);
});
afterAll(async () => gw.close());

describe('each feature at each allowed level gates its read and manage operations (SPEC §2)', () => {
  const cases = SPEC_TABLE.flatMap(([feature, allowed]) => allowed.map((level) => [feature, level] as const));
  it.each(cases)('%s at %s', async (feature, level) => {
    const roleId = await createRole(gw, org.organizationId, { [feature]: level });
    const actor = await addMember(gw, org.organizationId, roleId);
    const ops = FEATURE_OPERATIONS[feature];
    await expectOutcome(actor.token, feature, 'read', outcomeOf(ops.readNeeds, level));
    if (ops.manage) await expectOutcome(actor.token, feature, 'manage', outcomeOf('MANAGE', level));
  });
});

describe('predefined roles and templates hold the levels of the SPEC tables', () => {
  const roles = ['Owner', 'Member', 'Developer', 'Viewer', 'Ops'] as const;
  const actors: Record<string, string> = {};
  beforeAll(async () => {
    actors.Owner = org.owner.token;
    actors.Member = (await addMember(gw, org.organizationId, org.memberRoleId)).token;
    actors.Developer = (await addMember(gw, org.organizationId, await createTemplateRole(gw, org.organizationId, 'DEVELOPER'))).token;
    actors.Viewer = (await addMember(gw, org.organizationId, await createTemplateRole(gw, org.organizationId, 'VIEWER'))).token;
    actors.Ops = (await addMember(gw, org.organizationId, await createTemplateRole(gw, org.organizationId, 'OPS'))).token;
  });

  const cases = roles.flatMap((role, column) => SPEC_TABLE.map((row) => [role, row[0], row[2 + column] as Level] as const));
  it.each(cases)('%s: %s is %s', async (role, feature, level) => {
    const token = actors[role] ?? '';
    const ops = FEATURE_OPERATIONS[feature];
    await expectOutcome(token, feature, 'read', outcomeOf(ops.readNeeds, level));
    if (ops.manage) await expectOutcome(token, feature, 'manage', outcomeOf('MANAGE', level));
    const permissions = await gw.gql<{ organization: { viewerPermissions: { features: Array<{ feature: string; level: string }> } } }>(
      token,
      'query($id: ID!) { organization(id: $id) { viewerPermissions { features { feature level } } } }',
      { id: String(org.organizationId) },
    );
    expect(permissions.data?.organization.viewerPermissions.features.find((f) => f.feature === feature)?.level).toBe(level);
  });
});

describe('a session user of several organizations: the schema holds its highest level, each organization checks its own (issue 6)', () => {
  // Every feature at MANAGE in one organization and at each weaker allowed level in the other.
  const cases = SPEC_TABLE.flatMap(([feature, allowed]) => allowed.filter((level) => level !== 'MANAGE').map((weaker) => [feature, weaker] as const));
  const schemaFields = async (token: string, type: 'Query' | 'Mutation' | 'Organization') => {
    const response = await gw.gql<{ __type: { fields: Array<{ name: string }> } | null }>(
      token,
      'query($type: String!) { __type(name: $type) { fields { name } } }',
      { type },
    );
    expect(response.errors).toEqual([]);
    return (response.data?.__type?.fields ?? []).map((f) => f.name);
  };

  it.each(cases)('%s: MANAGE in one organization, %s in the other', async (feature, weaker) => {
    const strong = await createOrg(gw);
    const weak = await createOrg(gw);
    const email = `multi-${feature}-${weaker}-${++n}@example.com`.toLowerCase();
    await addMember(gw, strong.organizationId, await createRole(gw, strong.organizationId, { [feature]: 'MANAGE' }), email);
    const weakToken = (await addMember(gw, weak.organizationId, await createRole(gw, weak.organizationId, { [feature]: weaker }), email)).token;
    const session = await jwtFor(email);
    const ops = FEATURE_OPERATIONS[feature];
    const everywhere: Level[] = ['MANAGE', weaker];

    // Where it holds MANAGE, everything the feature gates is allowed.
    await expectOutcome(session, feature, 'read', outcomeOf(ops.readNeeds, 'MANAGE', everywhere), strong.organizationId);
    if (ops.manage) await expectOutcome(session, feature, 'manage', outcomeOf('MANAGE', 'MANAGE', everywhere), strong.organizationId);

    // In the weaker organization the fields are in its schema, and the check there fails naming the feature and level.
    const readInWeak = outcomeOf(ops.readNeeds, weaker, everywhere);
    expect(readInWeak).toBe(atLeast(weaker, ops.readNeeds) ? 'allowed' : 'forbidden');
    await expectOutcome(session, feature, 'read', readInWeak, weak.organizationId);
    expect(await schemaFields(session, 'Organization')).toContain(gatedField(ops.read.query));
    if (ops.manage) {
      expect(outcomeOf('MANAGE', weaker, everywhere)).toBe('forbidden');
      expect(await schemaFields(session, 'Mutation')).toContain(gatedField(ops.manage.query));
      const response = await gw.gql(session, ops.manage.query, ops.manage.variables(weak.organizationId, ++n));
      expect(response.status).toBe(200);
      expect(response.errors).toHaveLength(1);
      expect(response.errors[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', feature, requiredLevel: 'MANAGE', level: weaker });
      expect(response.errors[0]?.message).toContain(`${feature}: MANAGE`);
      expect(response.errors[0]?.message).toContain(weaker);

      // The same person's API token acts in the weaker organization only: there the field is not in its schema.
      await expectOutcome(weakToken, feature, 'manage', outcomeOf('MANAGE', weaker), weak.organizationId);
      expect(await schemaFields(weakToken, 'Mutation')).not.toContain(gatedField(ops.manage.query));
    }
  });
});
