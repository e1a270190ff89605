import {
  buildClientSchema,
  getIntrospectionQuery,
  getNamedType,
  isLeafType,
  isNonNullType,
  isObjectType,
  type GraphQLField,
  type GraphQLObjectType,
  type GraphQLSchema,
  type IntrospectionQuery,
} from 'graphql';
import { expect } from 'vitest';
import type { TestGateway } from '../support/harness.js';

/** The schema a token sees, as the explorer gets it: by introspection through the gateway. */
export async function introspect(gw: TestGateway, token: string): Promise<GraphQLSchema> {
  const response = await gw.gql<IntrospectionQuery>(token, getIntrospectionQuery());
  expect(response.errors).toEqual([]);
  if (!response.data) throw new Error('introspection returned no data');
  return buildClientSchema(response.data);
}

/** The mutations a token's schema shows. */
export async function mutationNames(gw: TestGateway, token: string): Promise<string[]> {
  return Object.keys((await introspect(gw, token)).getMutationType()?.getFields() ?? {});
}

/** `Type.field` of every object type's field, introspection types left out. */
export function fieldsOf(schema: GraphQLSchema): Set<string> {
  const fields = new Set<string>();
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.keys(type.getFields())) fields.add(`${type.name}.${field}`);
  }
  return fields;
}

const hasRequiredArgs = (field: GraphQLField<unknown, unknown>) => field.args.some((arg) => isNonNullType(arg.type) && arg.defaultValue === undefined);

/**
 * A selection of every field of `type` that takes no required argument, down to `depth` levels:
 * the "execute a sample of its fields" of the issue. Cycles end at the depth bound.
 */
export function selectAll(type: GraphQLObjectType, depth: number): string {
  const parts: string[] = ['__typename'];
  for (const field of Object.values(type.getFields())) {
    if (hasRequiredArgs(field)) continue;
    const named = getNamedType(field.type);
    if (isLeafType(named)) parts.push(field.name);
    else if (isObjectType(named) && depth > 1) parts.push(`${field.name} { ${selectAll(named, depth - 1)} }`);
  }
  return parts.join(' ');
}

/**
 * How to reach `target` from the root of `schema`, as an opening of a selection: the shortest
 * chain of fields (breadth first), each with its required arguments filled from `args`.
 */
export function pathTo(
  schema: GraphQLSchema,
  root: GraphQLObjectType,
  target: string,
  args: (field: GraphQLField<unknown, unknown>) => string,
): string[] | null {
  const seen = new Set<string>([root.name]);
  let frontier: Array<{ type: GraphQLObjectType; path: string[] }> = [{ type: root, path: [] }];
  while (frontier.length > 0) {
    const next: typeof frontier = [];
    for (const { type, path } of frontier) {
      if (type.name === target) return path;
      for (const field of Object.values(type.getFields())) {
        const named = getNamedType(field.type);
        if (!isObjectType(named) || seen.has(named.name)) continue;
        seen.add(named.name);
        next.push({ type: named, path: [...path, `${field.name}${args(field)}`] });
      }
    }
    frontier = next;
  }
  return null;
}

/** `a { b { <inner> } }` from a path. */
export function nest(path: readonly string[], inner: string): string {
  return path.reduceRight((selection, step) => `${step} { ${selection} }`, inner);
}
