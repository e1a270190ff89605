import { assertValidSchema, type GraphQLSchema } from 'graphql';
import type { RuleMap } from '../authorization-map.js';
import type { PermissionSet } from '../permission-set.js';
import { filteredSchema } from './lazy-filter.js';
import { visibleFields } from './visible-fields.js';

/**
 * The schema of one permission set: the gateway's schema (resolvers, shield and every middleware
 * kept, since filtering copies field configs) without the fields the set cannot reach, and
 * without the types only those fields led to. Introspection, validation ("Cannot query field")
 * and execution all use it, so a hidden field is indistinguishable from one that does not exist.
 */
export function schemaForPermissionSet(schema: GraphQLSchema, rules: RuleMap, set: PermissionSet): GraphQLSchema {
  const filtered = filteredSchema(schema, visibleFields(schema, rules, set));
  // A schema graphql-js would reject must fail here, at build, not as a confusing request error.
  assertValidSchema(filtered);
  return filtered;
}
