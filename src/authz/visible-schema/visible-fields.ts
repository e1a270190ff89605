import { getNamedType, isObjectType, type GraphQLSchema } from 'graphql';
import { reachOf } from '../guard.js';
import type { RuleMap } from '../authorization-map.js';
import type { PermissionSet } from '../permission-set.js';

/** `Type.field` names a permission set can reach. */
export type VisibleFields = ReadonlySet<string>;

/**
 * A field is visible when its own rule can pass for the set (the rule's reach) or, without a rule
 * of its own, when it inherits its parent's check (src/authz/authorization-map.ts) — and, in both
 * cases, when the object type it returns keeps at least one visible field. The last condition is
 * applied until nothing changes, so that no field leads to a type the set cannot read anything of.
 * A field whose rule has no reach (shield's `deny` fallback, an unclassified field) is hidden.
 */
export function visibleFields(schema: GraphQLSchema, rules: RuleMap, set: PermissionSet): VisibleFields {
  const visible = new Set<string>();
  const objectTypes = Object.values(schema.getTypeMap()).filter((type) => isObjectType(type) && !type.name.startsWith('__'));
  for (const type of objectTypes) {
    if (!isObjectType(type)) continue;
    for (const field of Object.keys(type.getFields())) {
      const rule = rules[type.name]?.[field];
      const reach = rule === undefined ? undefined : reachOf(rule);
      if (rule === undefined ? true : reach !== undefined && reach(set)) visible.add(`${type.name}.${field}`);
    }
  }
  const hasVisibleField = (typeName: string) => {
    const type = schema.getType(typeName);
    return !isObjectType(type) || Object.keys(type.getFields()).some((field) => visible.has(`${typeName}.${field}`));
  };
  let changed = true;
  while (changed) {
    changed = false;
    for (const type of objectTypes) {
      if (!isObjectType(type)) continue;
      for (const [name, field] of Object.entries(type.getFields())) {
        const key = `${type.name}.${name}`;
        if (visible.has(key) && !hasVisibleField(getNamedType(field.type).name)) {
          visible.delete(key);
          changed = true;
        }
      }
    }
  }
  return visible;
}
