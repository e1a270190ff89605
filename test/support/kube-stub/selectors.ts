import { isObject, isString, isStringArray, isStringMap, objectAt, stringAt } from './json.js';
import { badRequest } from './status.js';
import type { JsonObject } from './types.js';

/** Label selectors (query `labelSelector`, and LabelSelector objects) and field selectors. */

interface Requirement {
  key: string;
  op: 'in' | 'notin' | 'exists' | '!';
  values: string[];
}

export type Selector = Requirement[];

function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of text) {
    if (ch === '(') depth += 1;
    if (ch === ')') depth -= 1;
    if (ch === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  parts.push(current);
  return parts.map((p) => p.trim()).filter((p) => p.length > 0);
}

/** Parses `a=b,c!=d,e in (x,y),!f,g`. Throws a 400 KubeError on bad syntax. */
export function parseLabelSelector(text: string): Selector {
  return splitTopLevel(text).map((part) => {
    const set = /^([^\s!=(),]+)\s+(in|notin)\s+\(([^()]*)\)$/.exec(part);
    if (set) {
      const values = (set[3] ?? '')
        .split(',')
        .map((v) => v.trim())
        .filter((v) => v.length > 0);
      return { key: set[1] ?? '', op: set[2] === 'in' ? 'in' : 'notin', values };
    }
    const eq = /^([^\s!=(),]+)\s*(==|=|!=)\s*([^\s!=(),]*)$/.exec(part);
    if (eq) return { key: eq[1] ?? '', op: eq[2] === '!=' ? 'notin' : 'in', values: [eq[3] ?? ''] };
    const exists = /^(!?)([^\s!=(),]+)$/.exec(part);
    if (exists) return { key: exists[2] ?? '', op: exists[1] ? '!' : 'exists', values: [] };
    throw badRequest(`unable to parse requirement: invalid label selector "${part}"`);
  });
}

export function matches(selector: Selector, labels: Record<string, string>): boolean {
  return selector.every((r) => {
    const has = Object.hasOwn(labels, r.key);
    const value = labels[r.key] ?? '';
    switch (r.op) {
      case 'exists':
        return has;
      case '!':
        return !has;
      case 'in':
        return has && r.values.includes(value);
      case 'notin':
        return !has || !r.values.includes(value);
    }
  });
}

/**
 * metav1.LabelSelectorAsSelector for a Deployment's spec.selector; null when it is not a valid
 * LabelSelector. An empty selector yields [] (which matches everything).
 */
export function fromLabelSelector(value: unknown): Selector | null {
  if (!isObject(value)) return null;
  const out: Selector = [];
  const matchLabels = value['matchLabels'] ?? {};
  if (!isStringMap(matchLabels)) return null;
  for (const [key, v] of Object.entries(matchLabels)) out.push({ key, op: 'in', values: [v] });
  const expressions = value['matchExpressions'] ?? [];
  if (!Array.isArray(expressions)) return null;
  for (const expression of expressions) {
    if (!isObject(expression) || !isString(expression['key']) || !isString(expression['operator'])) return null;
    const values = expression['values'] ?? [];
    if (!isStringArray(values)) return null;
    const mapped = operatorOf(expression['operator']);
    if (mapped === null) return null;
    out.push({ key: expression['key'], op: mapped, values });
  }
  return out;
}

function operatorOf(operator: string): Requirement['op'] | null {
  switch (operator) {
    case 'In':
      return 'in';
    case 'NotIn':
      return 'notin';
    case 'Exists':
      return 'exists';
    case 'DoesNotExist':
      return '!';
    default:
      return null;
  }
}

export function labelsOf(obj: JsonObject): Record<string, string> {
  const labels = objectAt(obj, 'metadata')?.['labels'];
  return isStringMap(labels) ? labels : {};
}

interface FieldRequirement {
  field: string;
  equal: boolean;
  value: string;
}

/** Field selectors on metadata.name and metadata.namespace (plus `type` for secrets). */
export function parseFieldSelector(text: string, extraFields: string[]): FieldRequirement[] {
  const known = ['metadata.name', 'metadata.namespace', ...extraFields];
  return splitTopLevel(text).map((part) => {
    const m = /^([^\s!=]+)\s*(==|=|!=)\s*(.*)$/.exec(part);
    if (!m) throw badRequest(`invalid selector: '${part}'; can't understand '${part}'`);
    const field = m[1] ?? '';
    if (!known.includes(field)) {
      throw badRequest(`"${field}" is not a known field selector: only ${known.map((k) => `"${k}"`).join(', ')}`);
    }
    return { field, equal: m[2] !== '!=', value: (m[3] ?? '').trim() };
  });
}

export function fieldsMatch(requirements: FieldRequirement[], obj: JsonObject): boolean {
  const meta = objectAt(obj, 'metadata');
  return requirements.every((r) => {
    const actual =
      r.field === 'metadata.name' ? stringAt(meta, 'name') : r.field === 'metadata.namespace' ? stringAt(meta, 'namespace') : stringAt(obj, r.field);
    return ((actual ?? '') === r.value) === r.equal;
  });
}
