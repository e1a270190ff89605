import type { allow, IRule } from 'graphql-shield';

/** A Gatehouse guard, or shield's `allow` (used only by the bench's every-field layout). */
export type FieldRule = IRule | typeof allow;

/** Field → rule, per type: the fields that carry their own check. */
export type RuleMap = Record<string, Record<string, FieldRule>>;

/**
 * Fields that carry no rule of their own because every field that returns their parent type is
 * ruled: plain data of an object the parent's rule already authorized. Each entry states why,
 * for review. `test/authz/schema-coverage.test.ts` fails on any field that is neither ruled nor
 * listed here, on any root field listed here, and on a field returning a type listed here that
 * carries no rule, so the claim is checked, not only stated. Two kinds of plumbing are followed
 * up to the field above them instead: a connection's `edges`, `pageInfo` and an edge's `node`
 * (one page, filtered by the connection field's rule), and a field of an owner returning a type
 * declared `partOf` that owner.
 *
 * `fields: '*'` is for plumbing and plain values only. Types that carry personal data, secrets,
 * traces or audit records list their fields by name, so that a field added later is denied and
 * fails the coverage test until someone classifies it.
 */
export type InheritMap = Record<
  string,
  {
    fields: '*' | readonly string[];
    reason: string;
    /**
     * A value inside these object types, with no identity of its own (a span's events, a role's
     * levels): their fields may return it without a rule, since it is read only with its owner.
     */
    partOf?: readonly string[];
  }
>;

export interface ModuleAuthorization {
  rules: RuleMap;
  inherits: InheritMap;
}

export function mergeAuthorization(parts: readonly ModuleAuthorization[]): ModuleAuthorization {
  const rules: RuleMap = {};
  const inherits: InheritMap = {};
  for (const part of parts) {
    for (const [type, fields] of Object.entries(part.rules)) {
      const target = (rules[type] ??= {});
      for (const [field, rule] of Object.entries(fields)) {
        if (target[field]) throw new Error(`Two modules define a rule for ${type}.${field}.`);
        target[field] = rule;
      }
    }
    for (const [type, entry] of Object.entries(part.inherits)) {
      const existing = inherits[type];
      // A type extended by several modules (extend type Automation) lists each module's fields.
      if (existing && (existing.fields === '*' || entry.fields === '*')) throw new Error(`Two modules declare all inherited fields of ${type}.`);
      if (existing && (existing.partOf || entry.partOf)) throw new Error(`${type} declares partOf in more than one module.`);
      inherits[type] = existing
        ? { fields: [...(existing.fields as readonly string[]), ...(entry.fields as readonly string[])], reason: `${existing.reason}; ${entry.reason}` }
        : entry;
    }
  }
  return { rules, inherits };
}

export function inheritsField(inherits: InheritMap, type: string, field: string): boolean {
  const entry = inherits[type];
  if (!entry) return false;
  return entry.fields === '*' || entry.fields.includes(field);
}
