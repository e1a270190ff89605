import { filterSchema, pruneSchema } from '@graphql-tools/utils';
import { printSchema, validateSchema, type GraphQLSchema } from 'graphql';
import { describe, expect, it } from 'vitest';
import { FEATURES, LEVELS, type Feature, type Level } from '../../src/authz/features.js';
import type { PermissionSet } from '../../src/authz/permission-set.js';
import { filteredSchema } from '../../src/authz/visible-schema/lazy-filter.js';
import { visibleFields } from '../../src/authz/visible-schema/visible-fields.js';
import { authorization, buildSchema } from '../../src/graphql/schema.js';

// The permission-set cache builds each set's schema with filteredSchema (a miss must be cheap,
// issue 15 §3). It must be exactly what filterSchema + pruneSchema made before: the same types,
// fields, arguments and order, for every kind of principal and many level combinations.
const schema = buildSchema();
const rules = authorization().rules;

function reference(visible: ReadonlySet<string>): GraphQLSchema {
  const root = (operation: 'Query' | 'Mutation' | 'Subscription') =>
    (operation === 'Query' ? schema.getQueryType() : operation === 'Mutation' ? schema.getMutationType() : schema.getSubscriptionType())?.name ?? operation;
  return pruneSchema(
    filterSchema({
      schema,
      rootFieldFilter: (operation, field) => visible.has(`${root(operation)}.${field}`),
      objectFieldFilter: (type, field) => visible.has(`${type}.${field}`),
    }),
  );
}

function set(i: number, overrides: Partial<PermissionSet> = {}): PermissionSet {
  const levels = Object.fromEntries(FEATURES.map((feature, k) => [feature, LEVELS[Math.floor(i / 3 ** (k % 9)) % 3]])) as Record<Feature, Level>;
  return { kind: 'session', member: true, owner: false, levels, instanceAdmin: false, automationManageGrant: false, tokenScope: null, ...overrides };
}

const KINDS: Array<[string, Partial<PermissionSet>]> = [
  ['a session member', {}],
  ['an Owner', { owner: true }],
  ['an instance administrator who is a member', { instanceAdmin: true }],
  ['a signed-in user of no organization', { member: false }],
  ['a service account', { kind: 'service-account' }],
  ['a user token with an automation grant', { kind: 'user-token', automationManageGrant: true }],
  ['a scoped token', { kind: 'user-token', tokenScope: ['RUN', 'VIEW'] }],
];

describe('the lazily filtered schema of a permission set', () => {
  it.each(KINDS)('is the pruned, filtered schema, for %s over 12 level combinations', (_name, overrides) => {
    for (let i = 0; i < 12; i++) {
      const visible = visibleFields(schema, rules, set(i * 331, overrides));
      const built = filteredSchema(schema, visible);
      expect(validateSchema(built)).toEqual([]);
      expect(printSchema(built)).toBe(printSchema(reference(visible)));
      expect(Object.keys(built.getTypeMap()).sort()).toEqual(Object.keys(reference(visible).getTypeMap()).sort());
    }
  });
});
