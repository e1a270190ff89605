import type { allow, IRule } from 'graphql-shield';

/** A Gatehouse guard, or shield's `allow` (used only by the bench's every-field layout). */
export type FieldRule = IRule | typeof allow;

/** Field → rule, per type: the fields that carry their own check. */
export type RuleMap = Record<string, Record<string, FieldRule>>;

/**
 * Fields that carry no rule of their own because every field that returns their parent type is
 * ruled: plain data of an object the parent's rule already authorized. Each entry states why,
 * for review; `test/authz/schema-coverage.test.ts` fails on any field that is neither ruled nor
 * listed here, and on any root field listed here.
 */
export type InheritMap = Record<string, { fields: '*' | readonly string[]; reason: string }>;

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
