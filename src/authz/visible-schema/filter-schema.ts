import { filterSchema, pruneSchema } from '@graphql-tools/utils';
import { assertValidSchema, type GraphQLSchema } from 'graphql';
import type { RuleMap } from '../authorization-map.js';
import type { PermissionSet } from '../permission-set.js';
import { visibleFields } from './visible-fields.js';

/**
 * The schema of one permission set: the gateway's schema (resolvers, shield and every middleware
 * kept, since filtering copies field configs) without the fields the set cannot reach, and
 * without the types only those fields led to. Introspection, validation ("Cannot query field")
 * and execution all use it, so a hidden field is indistinguishable from one that does not exist.
 */
export function schemaForPermissionSet(schema: GraphQLSchema, rules: RuleMap, set: PermissionSet): GraphQLSchema {
  const visible = visibleFields(schema, rules, set);
  const filtered = pruneSchema(
    filterSchema({
      schema,
      rootFieldFilter: (operation, field) => visible.has(`${rootTypeName(schema, operation)}.${field}`),
      objectFieldFilter: (type, field) => visible.has(`${type}.${field}`),
    }),
  );
  // A schema graphql-js would reject must fail here, at build, not as a confusing request error.
  assertValidSchema(filtered);
  return filtered;
}

function rootTypeName(schema: GraphQLSchema, operation: 'Query' | 'Mutation' | 'Subscription'): string {
  const root = operation === 'Query' ? schema.getQueryType() : operation === 'Mutation' ? schema.getMutationType() : schema.getSubscriptionType();
  return root?.name ?? operation;
}
