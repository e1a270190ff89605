import {
  GraphQLInterfaceType,
  GraphQLList,
  GraphQLNonNull,
  GraphQLObjectType,
  GraphQLSchema,
  GraphQLUnionType,
  getNamedType,
  isInterfaceType,
  isListType,
  isNonNullType,
  isObjectType,
  isUnionType,
  type GraphQLFieldConfigMap,
  type GraphQLNamedType,
  type GraphQLOutputType,
} from 'graphql';
import type { VisibleFields } from './visible-fields.js';

/**
 * The schema `schema` shows through `visible`, built the way a permission-set cache miss can
 * afford: what @graphql-tools' filterSchema followed by pruneSchema produce (the same types, fields
 * and order, compared in test/visible-schema/lazy-filter.test.ts), without their full rebuilds of
 * every type, several times over. Object, interface and union types are new objects whose fields
 * and members are thunks, resolved only for the types a document or introspection touches;
 * input objects, enums and scalars can reference no output type, so the originals are kept.
 */
export function filteredSchema(schema: GraphQLSchema, visible: VisibleFields): GraphQLSchema {
  const kept = reachableTypeNames(schema, visible);
  const built = new Map<string, GraphQLNamedType>();
  const named = (name: string): GraphQLNamedType => {
    const type = built.get(name);
    if (!type) throw new Error(`filteredSchema: type ${name} is referenced but was not kept`);
    return type;
  };
  const output = (type: GraphQLOutputType): GraphQLOutputType => {
    if (isNonNullType(type)) return new GraphQLNonNull(output(type.ofType));
    if (isListType(type)) return new GraphQLList(output(type.ofType));
    return named(type.name) as GraphQLOutputType;
  };
  const fieldsOf = (type: GraphQLObjectType | GraphQLInterfaceType, filter: boolean): GraphQLFieldConfigMap<unknown, unknown> => {
    const fields: GraphQLFieldConfigMap<unknown, unknown> = {};
    for (const [name, config] of Object.entries(type.toConfig().fields)) {
      if (!filter || visible.has(`${type.name}.${name}`)) fields[name] = { ...config, type: output(config.type) };
    }
    return fields;
  };
  const interfacesOf = (type: GraphQLObjectType | GraphQLInterfaceType) =>
    type
      .getInterfaces()
      .filter((i) => kept.has(i.name))
      .map((i) => named(i.name) as GraphQLInterfaceType);

  for (const type of Object.values(schema.getTypeMap())) {
    if (type.name.startsWith('__')) continue;
    if (isObjectType(type)) {
      if (kept.has(type.name))
        built.set(type.name, new GraphQLObjectType({ ...type.toConfig(), interfaces: () => interfacesOf(type), fields: () => fieldsOf(type, true) }));
    } else if (isInterfaceType(type)) {
      if (kept.has(type.name))
        built.set(type.name, new GraphQLInterfaceType({ ...type.toConfig(), interfaces: () => interfacesOf(type), fields: () => fieldsOf(type, false) }));
    } else if (isUnionType(type)) {
      if (kept.has(type.name))
        built.set(
          type.name,
          new GraphQLUnionType({
            ...type.toConfig(),
            types: () =>
              type
                .getTypes()
                .filter((t) => kept.has(t.name))
                .map((t) => named(t.name) as GraphQLObjectType),
          }),
        );
    } else if (kept.has(type.name)) {
      // Input objects, enums and scalars go when nothing reaches them.
      built.set(type.name, type);
    }
  }
  const root = (type: GraphQLObjectType | null | undefined) => (type && built.has(type.name) ? (named(type.name) as GraphQLObjectType) : undefined);
  const config = schema.toConfig();
  return new GraphQLSchema({
    ...config,
    query: root(schema.getQueryType()),
    mutation: root(schema.getMutationType()),
    subscription: root(schema.getSubscriptionType()),
    types: [...built.values()],
  });
}

/**
 * The type names pruneSchema keeps: everything reachable from the root types through visible
 * fields (their return and argument types), interfaces implemented, union members, and the
 * implementations of an interface some field returns.
 */
function reachableTypeNames(schema: GraphQLSchema, visible: VisibleFields): Set<string> {
  const kept = new Set<string>();
  const returnedInterfaces = new Set<string>();
  const queue = [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()].flatMap((root) => (root ? [root.name] : []));
  const implementations = new Map<string, string[]>();
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) && !isInterfaceType(type)) continue;
    for (const implemented of type.getInterfaces()) implementations.set(implemented.name, [...(implementations.get(implemented.name) ?? []), type.name]);
  }
  while (queue.length > 0) {
    const name = queue.pop() ?? '';
    if (kept.has(name)) continue;
    const type = schema.getType(name);
    if (!type) continue;
    // pruneSchema keeps no object type without a field left, even one a union or interface names.
    if (isObjectType(type) && !Object.keys(type.getFields()).some((field) => visible.has(`${name}.${field}`))) continue;
    kept.add(name);
    if (isUnionType(type)) queue.push(...type.getTypes().map((t) => t.name));
    if (isObjectType(type) || isInterfaceType(type)) {
      queue.push(...type.getInterfaces().map((i) => i.name));
      for (const [fieldName, field] of Object.entries(type.getFields())) {
        if (isObjectType(type) && !visible.has(`${name}.${fieldName}`)) continue;
        if (isObjectType(type)) queue.push(...field.args.map((arg) => getNamedType(arg.type).name));
        const returned = getNamedType(field.type);
        queue.push(returned.name);
        if (isInterfaceType(returned)) returnedInterfaces.add(returned.name);
      }
    }
    if ('getFields' in type && !isObjectType(type) && !isInterfaceType(type)) {
      for (const field of Object.values(type.getFields())) queue.push(getNamedType(field.type).name);
    }
    if (queue.length === 0) {
      for (const iface of returnedInterfaces) {
        returnedInterfaces.delete(iface);
        queue.push(...(implementations.get(iface) ?? []));
      }
    }
  }
  return kept;
}
