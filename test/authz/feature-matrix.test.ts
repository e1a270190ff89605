import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Feature, Level } from '../../src/authz/features.js';
import { addMember, createOrg, createRole, createTemplateRole, type OrgFixture } from '../support/fixtures.js';
import { startTestGateway, type TestGateway } from '../support/harness.js';
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

let gw: TestGateway;
let org: OrgFixture;
let n = 0;

async function attempt(token: string, feature: Feature, kind: 'read' | 'manage') {
  const op = kind === 'read' ? FEATURE_OPERATIONS[feature].read : FEATURE_OPERATIONS[feature].manage;
  if (!op) throw new Error(`${feature} has no ${kind} operation`);
  return gw.gql(token, op.query, op.variables(org.organizationId, ++n));
}

async function expectOutcome(token: string, feature: Feature, kind: 'read' | 'manage', allowed: boolean) {
  const response = await attempt(token, feature, kind);
  if (allowed) {
    expect(response.errors, `${feature} ${kind} should be allowed`).toEqual([]);
  } else {
    expect(response.errors.map((e) => e.extensions?.code), `${feature} ${kind} should be FORBIDDEN`).toEqual(['FORBIDDEN']);
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
    await expectOutcome(actor.token, feature, 'read', atLeast(level, ops.readNeeds));
    if (ops.manage) await expectOutcome(actor.token, feature, 'manage', level === 'MANAGE');
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
    await expectOutcome(token, feature, 'read', atLeast(level, ops.readNeeds));
    if (ops.manage) await expectOutcome(token, feature, 'manage', level === 'MANAGE');
    const permissions = await gw.gql<{ organization: { viewerPermissions: { features: Array<{ feature: string; level: string }> } } }>(
      token,
      'query($id: ID!) { organization(id: $id) { viewerPermissions { features { feature level } } } }',
      { id: String(org.organizationId) },
    );
    expect(permissions.data?.organization.viewerPermissions.features.find((f) => f.feature === feature)?.level).toBe(level);
  });
});
