import { isObjectType } from 'graphql';
import { describe, expect, it } from 'vitest';
import { inheritsField } from '../../src/authz/authorization-map.js';
import { authorization, buildExecutableSchema } from '../../src/graphql/schema.js';

// Every field of the schema either carries its own rule or is declared as inheriting its
// parent's check, with a reason; root fields always carry a rule (src/authz/shield.ts).
const schema = buildExecutableSchema();
const { rules, inherits } = authorization();
const ROOTS = new Set(['Query', 'Mutation', 'Subscription']);

const fields = Object.values(schema.getTypeMap())
  .filter((type) => isObjectType(type) && !type.name.startsWith('__'))
  .flatMap((type) => (isObjectType(type) ? Object.keys(type.getFields()).map((field) => [type.name, field] as const) : []));

describe('schema coverage', () => {
  it('walks a schema with fields in it', () => {
    expect(fields.length).toBeGreaterThan(100);
  });

  it.each(fields)('%s.%s has a rule or a reviewed reason to inherit one', (type, field) => {
    const ruled = Boolean(rules[type]?.[field]);
    const inherited = inheritsField(inherits, type, field);
    expect(ruled || inherited, `${type}.${field} has neither a rule nor an inherit entry`).toBe(true);
    if (ROOTS.has(type)) expect(ruled, `${type}.${field} must carry its own rule`).toBe(true);
  });

  it('declares no inheritance for types or fields that do not exist', () => {
    for (const [type, entry] of Object.entries(inherits)) {
      const graphqlType = schema.getType(type);
      expect(graphqlType && isObjectType(graphqlType), `${type} is not an object type`).toBe(true);
      expect(entry.reason.length, `${type} needs a reason`).toBeGreaterThan(20);
      if (entry.fields !== '*' && graphqlType && isObjectType(graphqlType)) {
        for (const field of entry.fields) expect(Object.keys(graphqlType.getFields())).toContain(field);
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
});
