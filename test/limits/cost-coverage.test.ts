import { getNullableType, isEnumType, isListType, isObjectType, type GraphQLObjectType, type GraphQLSchema } from 'graphql';
import { describe, expect, it } from 'vitest';
import { authorization, buildExecutableSchema, buildSchema } from '../../src/graphql/schema.js';
import { FEATURES, LEVELS, OWNER_LEVELS } from '../../src/authz/features.js';
import { schemaForPermissionSet } from '../../src/authz/visible-schema/filter-schema.js';
import { loadConfig } from '../../src/config.js';
import { costDirectiveProblems } from '../../src/graphql/limits/cost-directives-audit.js';
import { fieldCostDirectives } from '../../src/graphql/limits/cost-directives.js';
import { DEFAULT_PAGE_SIZE } from '../../src/graphql/pagination.js';
import type { AutomationObjects } from '../../src/k8s/manifests.js';
import { MAX_SCOPE_AUTOMATIONS } from '../../src/modules/api-tokens/token-scope.js';
import { MAX_WINDOW_DAYS } from '../../src/modules/usage/usage-dashboard.js';
import { costOf, schemaWithCostDirectives } from './cost-helpers.js';

// Issue 12 §4: every list of the SDL declares its size, so that no list, today's or a later one,
// costs 1 whatever it holds; and each declared size is what the data can hold.
const schema = buildExecutableSchema();
const enumSize = (name: string) => {
  const type = schema.getType(name);
  return isEnumType(type) ? type.getValues().length : NaN;
};
const ingest = loadConfig({ NODE_ENV: 'test' }).ingest;
// Compile-time exhaustive: a fourth object a deploy applies fails the typecheck here.
const APPLIED: Record<keyof AutomationObjects, true> = { secret: true, deployment: true, service: true };
// No bound in the data: assumed one default page, as a connection without `first`. Candidates for
// pagination (README "Limits").
const UNBOUNDED = DEFAULT_PAGE_SIZE;

/** Every list field that is not sliced: its assumedSize, and where that number comes from. */
const ASSUMED: Record<string, [size: number, why: string]> = {
  'ViewerPermissions.features': [FEATURES.length, 'one level per feature (SPEC §2)'],
  'Role.features': [FEATURES.length, 'one level per feature'],
  'RoleTemplate.features': [FEATURES.length, 'one level per feature'],
  'FeaturePermission.allowedLevels': [LEVELS.length, 'at most every level'],
  'Query.roleTemplates': [enumSize('RoleTemplateName'), 'one per template'],
  'Automation.viewerPermissions': [enumSize('AutomationPermission'), 'one decision per permission'],
  'AutomationAccessEntry.permissions': [enumSize('AutomationGrantPermission'), 'each grantable permission at most once'],
  'ApiTokenScope.permissions': [enumSize('AutomationPermission'), 'each permission at most once'],
  'WebhookScope.permissions': [enumSize('AutomationPermission'), "a token scope's, copied"],
  'ApiTokenScope.automationIds': [MAX_SCOPE_AUTOMATIONS, 'MAX_SCOPE_AUTOMATIONS'],
  'WebhookScope.automationIds': [MAX_SCOPE_AUTOMATIONS, "a token scope's, copied"],
  'Webhook.events': [enumSize('WebhookEventType'), 'each event type at most once'],
  'Deployment.appliedObjects': [Object.keys(APPLIED).length, 'the Secret, Deployment and Service a deploy applies'],
  'Deployment.manifests': [Object.keys(APPLIED).length, "the same objects' manifests"],
  'Usage.days': [MAX_WINDOW_DAYS + 1, 'a window of MAX_WINDOW_DAYS touches one UTC day more when it starts mid-day'],
  'Span.events': [ingest.eventCount, "OTLP_SPAN_EVENT_COUNT_LIMIT's default"],
  'Span.links': [ingest.linkCount, "OTLP_SPAN_LINK_COUNT_LIMIT's default"],
  'Viewer.memberships': [UNBOUNDED, 'no bound: the organizations a user belongs to'],
  'Viewer.pendingInvitations': [UNBOUNDED, 'no bound'],
  'Organization.roles': [UNBOUNDED, 'no bound on custom roles'],
  'Organization.viewerApiTokens': [UNBOUNDED, "no bound on a member's tokens"],
  'ServiceAccount.apiTokens': [UNBOUNDED, 'no bound'],
  'Automation.accessList': [UNBOUNDED, 'no bound'],
  'EnvVar.accessList': [UNBOUNDED, 'no bound'],
  'GitRepo.accessList': [UNBOUNDED, 'no bound'],
  'LLMConnection.accessList': [UNBOUNDED, 'no bound'],
  'Usage.automations': [UNBOUNDED, 'no bound: the automations that ran in the window'],
  'Query.featureFlags': [UNBOUNDED, 'no bound: every flag name ever set'],
  'FeatureFlag.organizationIds': [UNBOUNDED, 'no bound (IDs cost 0 whatever their number)'],
  'Query.organizationNamespaces': [UNBOUNDED, 'no bound: one per organization'],
  'OrganizationNamespace.automationsOutsideNamespace': [UNBOUNDED, 'no bound: the automations of one organization not yet moved'],
};

function listSizes(target: GraphQLSchema) {
  return Object.values(target.getTypeMap()).flatMap((type) =>
    !isObjectType(type) || type.name.startsWith('__')
      ? []
      : Object.values(type.getFields()).flatMap((field) => {
          const listSize = fieldCostDirectives(field).listSize;
          return listSize ? [{ name: `${type.name}.${field.name}`, returnsList: isListType(getNullableType(field.type)), listSize }] : [];
        }),
  );
}

describe('@listSize covers every list', () => {
  it('the schema has no list without a size, and no malformed @cost or @listSize', () => {
    expect(costDirectiveProblems(schema)).toEqual([]);
  });

  it('each unpaginated list assumes what its data can hold (the table says why)', () => {
    const declared = Object.fromEntries(
      listSizes(schema)
        .filter((f) => f.listSize.slicingArguments.length === 0)
        .map((f) => [f.name, f.listSize.assumedSize]),
    );
    expect(declared).toEqual(Object.fromEntries(Object.entries(ASSUMED).map(([name, [size]]) => [name, size])));
  });

  it('each connection sizes its edges by first, else by the page size its resolver uses', () => {
    const connections = listSizes(schema).filter((f) => f.listSize.sizedFields.size > 0);
    expect(connections.length).toBeGreaterThanOrEqual(20);
    for (const { name, returnsList, listSize } of connections) {
      expect({ name, returnsList, ...listSize, sizedFields: [...listSize.sizedFields] }).toEqual({
        name,
        returnsList: false,
        assumedSize: DEFAULT_PAGE_SIZE,
        slicingArguments: ['first'],
        sizedFields: ['edges'],
        requireOneSlicingArgument: false,
      });
    }
  });

  // The audit on schemas missing what it checks: each sentence says what to change.
  it.each([
    ['a list without @listSize', 'type Query { items: [Int!]! }', 'Query.items returns a list but has no @listSize'],
    [
      'a connection without @listSize',
      'type Query { page(first: Int): C } type C { edges: [Int!]! pageInfo: Int }',
      'Query.page returns a connection but has no @listSize',
    ],
    [
      'a connection that sizes not its edges',
      'type Query { page(first: Int): C @listSize(slicingArguments: ["first"]) } type C { edges: [Int!]! pageInfo: Int }',
      'Query.page returns a connection: its @listSize must size its edges',
    ],
    [
      'a slicing argument that is not an Int argument',
      'type Query { items(first: String): [Int!]! @listSize(slicingArguments: ["first", "last"]) }',
      '@listSize slicing argument "first" is not an Int argument',
    ],
    [
      'a sized field that is not a list',
      'type Query { page(first: Int): C @listSize(slicingArguments: ["first"], sizedFields: ["count"]) } type C { count: Int }',
      '@listSize sized field "count" is not a list field of C',
    ],
    [
      'a size left unknown',
      'type Query { items(first: Int): [Int!]! @listSize(slicingArguments: ["first"], requireOneSlicingArgument: false) }',
      'leaves the size unknown',
    ],
    ['@listSize on a single value', 'type Query { item: Int @listSize(assumedSize: 3) }', 'must name the list fields it sizes'],
    ['a negative weight', 'type Query { item: Int @cost(weight: -1) }', 'Query.item: @cost(weight:) must be an Int of 0 or more.'],
    ['a negative assumedSize', 'type Query { items: [Int] @listSize(assumedSize: -1) }', '@listSize(assumedSize:) must be an Int of 0 or more.'],
  ])('reports %s', (_what, sdl, problem) => {
    expect(costDirectiveProblems(schemaWithCostDirectives(sdl)).join('\n')).toContain(problem);
  });

  it('a list that every field returning its type sizes needs no @listSize of its own', () => {
    const sdl =
      'type Query { page(first: Int): C @listSize(assumedSize: 5, slicingArguments: ["first"], sizedFields: ["edges"], requireOneSlicingArgument: false) } type C { edges: [Int!]! pageInfo: Int }';
    expect(costDirectiveProblems(schemaWithCostDirectives(sdl))).toEqual([]);
  });
});

describe('the cost reads the SDL, never type or argument names', () => {
  it('llmConnections(first: 100) and tools(first: 100) with the same selection cost the same', () => {
    const query = (field: string) => `{ organization(id: 1) { ${field}(first: 100) { totalCount edges { node { id name createdAt } } } } }`;
    // organization 1 + connection 1 + 100 × (edge 1 + node 1).
    expect(costOf(schema, query('llmConnections'))).toBe(202);
    expect(costOf(schema, query('tools'))).toBe(202);
  });

  const organizationConnections = Object.values((schema.getType('Organization') as GraphQLObjectType).getFields())
    .filter((field) => fieldCostDirectives(field).listSize?.sizedFields.has('edges'))
    .map((field) => field.name);

  it.each(organizationConnections)('Organization.%s(first: 100) { edges { node { __typename } } } costs 202', (field) => {
    expect(costOf(schema, `{ organization(id: 1) { ${field}(first: 100) { edges { node { __typename } } } } }`)).toBe(202);
  });
});

describe('the role-filtered schemas (src/authz/visible-schema/) carry the directives', () => {
  const gateway = buildSchema();
  const owner = schemaForPermissionSet(gateway, authorization().rules, {
    kind: 'user-token',
    member: true,
    owner: true,
    levels: OWNER_LEVELS,
    instanceAdmin: false,
    automationManageGrant: true,
    tokenScope: null,
  });

  it('the filtered schema passes the audit and costs as the SDL says', () => {
    expect(costDirectiveProblems(owner)).toEqual([]);
    const query = '{ organization(id: 1) { execution(id: 1) { spans(first: 10) { edges { node { attributes events { name } } } } } } }';
    // organization 1 + execution 1 + spans 1 + 10 × (edge 1 + node 1 + attributes 20 + events 128 × 1).
    expect(costOf(owner, query)).toBe(3 + 10 * 150);
    expect(costOf(owner, query)).toBe(costOf(schema, query));
  });
});
