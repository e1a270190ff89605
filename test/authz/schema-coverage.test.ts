import { getNamedType, isObjectType, type GraphQLObjectType } from 'graphql';
import { describe, expect, it } from 'vitest';
import { inheritsField } from '../../src/authz/authorization-map.js';
import { authorization, buildExecutableSchema } from '../../src/graphql/schema.js';

// Every field of the schema either carries its own rule or is declared as inheriting its
// parent's check, with a reason; root fields always carry a rule (src/authz/shield.ts).
const schema = buildExecutableSchema();
const { rules, inherits } = authorization();
const ROOTS = new Set(['Query', 'Mutation', 'Subscription']);

const objectTypes = Object.values(schema.getTypeMap()).filter((type): type is GraphQLObjectType => isObjectType(type) && !type.name.startsWith('__'));
const fields = objectTypes.flatMap((type) => Object.keys(type.getFields()).map((field) => [type.name, field] as const));

const ruled = (type: string, field: string) => Boolean(rules[type]?.[field]);
/** A type some of whose fields run without a rule, on the claim that whoever returned it checked. */
const inheriting = (typeName: string) => {
  const type = schema.getType(typeName);
  return isObjectType(type) && Object.keys(type.getFields()).some((field) => !ruled(typeName, field) && inheritsField(inherits, typeName, field));
};
/** Every field returning the named type, as [parent type, field]. */
const returning = (typeName: string) =>
  objectTypes.flatMap((type) =>
    Object.entries(type.getFields())
      .filter(([, field]) => getNamedType(field.type).name === typeName)
      .map(([name]) => [type.name, name] as const),
  );

/**
 * Plumbing whose fields only carry the answer of the field above: a Relay connection (edges and
 * pageInfo) and its edge (cursor and node), one page the connection's field filtered; and a type
 * only root fields return (Viewer, CreatedApiToken), the answer of one ruled root field.
 */
function isContainer(typeName: string): boolean {
  const type = schema.getType(typeName);
  if (!isObjectType(type) || ROOTS.has(typeName)) return false;
  const own = Object.keys(type.getFields());
  const relay =
    (typeName.endsWith('Connection') && own.includes('edges') && own.includes('pageInfo')) ||
    (typeName.endsWith('Edge') && own.includes('node') && own.includes('cursor'));
  const incoming = returning(typeName);
  return relay || (incoming.length > 0 && incoming.every(([parent]) => ROOTS.has(parent)));
}

/**
 * Whether `parent.field`, returning an inheriting type, is where that type's check happens: it
 * carries a rule; or it returns a value declared part of `parent`; or `parent` is plumbing and
 * every field returning `parent` passes in turn. A cycle of plumbing never passes.
 */
function checked(parent: string, field: string, seen: ReadonlySet<string> = new Set()): boolean {
  if (ruled(parent, field)) return true;
  const type = schema.getType(parent);
  const returned = isObjectType(type) ? type.getFields()[field] : undefined;
  if (!returned) return false;
  if (inherits[getNamedType(returned.type).name]?.partOf?.includes(parent)) return true;
  if (!isContainer(parent) || seen.has(parent)) return false;
  return returning(parent).every(([above, name]) => checked(above, name, new Set([...seen, parent])));
}

/**
 * Types that carry personal data, secrets or credentials, traces or audit records: each field is
 * ruled or inherits by name (never '*'), so a field added later is denied and fails this test
 * until someone classifies it.
 */
const SENSITIVE = [
  'User',
  'Viewer',
  'Membership',
  'Invitation',
  'PendingInvitation',
  'ServiceAccount',
  'ApiToken',
  'CreatedApiToken',
  'OrganizationSettings',
  'AccessEntry',
  'AutomationAccessEntry',
  'EnvVar',
  'LLMConnection',
  'GitRepo',
  'Tool',
  'Automation',
  'Deployment',
  'KubernetesObject',
  'Execution',
  'Span',
  'SpanEvent',
  'SpanLink',
  'TraceResource',
  'InstrumentationScope',
  'HitlRequest',
  'HitlResponder',
  'AuditEntry',
];

describe('schema coverage', () => {
  it('walks a schema with fields in it', () => {
    expect(fields.length).toBeGreaterThan(100);
  });

  it.each(fields)('%s.%s has a rule or a reviewed reason to inherit one', (type, field) => {
    const inherited = inheritsField(inherits, type, field);
    expect(ruled(type, field) || inherited, `${type}.${field} has neither a rule nor an inherit entry`).toBe(true);
    if (ROOTS.has(type)) expect(ruled(type, field), `${type}.${field} must carry its own rule`).toBe(true);
  });

  it('declares no inheritance for types or fields that do not exist', () => {
    for (const [type, entry] of Object.entries(inherits)) {
      const graphqlType = schema.getType(type);
      expect(graphqlType && isObjectType(graphqlType), `${type} is not an object type`).toBe(true);
      expect(entry.reason.length, `${type} needs a reason`).toBeGreaterThan(20);
      if (entry.fields !== '*' && graphqlType && isObjectType(graphqlType)) {
        for (const field of entry.fields) expect(Object.keys(graphqlType.getFields())).toContain(field);
      }
      for (const owner of entry.partOf ?? []) {
        expect(
          returning(type).map(([parent]) => parent),
          `${type} is declared part of ${owner}, which has no field returning it`,
        ).toContain(owner);
      }
    }
  });

  it('has a rule for every root field', () => {
    for (const root of ['Query', 'Mutation']) {
      const type = schema.getType(root);
      if (!type || !isObjectType(type)) throw new Error(`${root} missing`);
      for (const field of Object.keys(type.getFields())) expect(rules[root]?.[field], `${root}.${field}`).toBeDefined();
    }
  });

  // What the inheritance claims, checked: a type's inherited fields run without a rule because
  // the field that returned the object checked it. A field returning such a type without a rule
  // of its own would reach them unguarded.
  const entries = objectTypes.flatMap((type) =>
    Object.entries(type.getFields())
      .filter(([, field]) => inheriting(getNamedType(field.type).name))
      .map(([name, field]) => [`${type.name}.${name}`, getNamedType(field.type).name, type.name, name] as const),
  );

  it('finds fields that return inheriting types', () => {
    expect(entries.length).toBeGreaterThan(50);
  });

  it.each(entries)('%s returns %s, whose inherited fields it checks', (_name, target, parent, field) => {
    expect(checked(parent, field), `${parent}.${field} returns ${target}, which inherits fields, but carries no rule`).toBe(true);
  });

  it.each(SENSITIVE)('%s classifies each field by name', (type) => {
    expect(schema.getType(type), `${type} is not in the schema`).toBeDefined();
    expect(inherits[type]?.fields, `${type} inherits with '*'`).not.toBe('*');
  });
});
