import {
  getNamedType,
  getNullableType,
  isAbstractType,
  isEnumType,
  isInputObjectType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLObjectType,
  type GraphQLSchema,
} from 'graphql';

/**
 * Every place of a schema where a caller's text goes in: each String or ID argument, each String
 * or ID field of an input object (once per input field, through the first argument that holds
 * it), and each `after`/`before` cursor; with an operation that reaches it from a root type.
 */
export interface TextInput {
  /** `Type.field(argument.inputField)`, for the test's name. */
  label: string;
  /** The argument path the gateway names: `input.name`. */
  argument: string;
  cursor: boolean;
  /** The operation, its one variable `$v` holding the argument; `value(text)` is `$v`'s value. */
  query: string;
  value(text: string): unknown;
  /** The same operation with `text` written as a literal in the document. */
  literal(text: string): string;
}

const TEXT_SCALARS = new Set(['String', 'ID']);

/** A value that passes validation for `type`, for the arguments a path needs on its way. */
function dummyJson(type: GraphQLInputType, depth = 0): unknown {
  if (isNonNullType(type)) return dummyJson(type.ofType, depth);
  if (isListType(type)) return [dummyJson(type.ofType, depth)];
  if (isEnumType(type)) return type.getValues()[0]?.value;
  if (isInputObjectType(type)) {
    const fields = Object.values(type.getFields()).filter((f) => isNonNullType(f.type) && f.defaultValue === undefined);
    return Object.fromEntries(depth > 5 ? [] : fields.map((f) => [f.name, dummyJson(f.type, depth + 1)]));
  }
  switch (type.name) {
    case 'Int':
    case 'Float':
      return 1;
    case 'Boolean':
      return true;
    case 'DateTime':
      return '2026-01-01T00:00:00Z';
    case 'JSONObject':
      return {};
    default:
      return 'x';
  }
}

/** `value` as a GraphQL literal of `type` (enums unquoted). */
function literalOf(value: unknown, type: GraphQLInputType): string {
  const inner = getNullableType(type);
  if (Array.isArray(value)) return `[${value.map((item) => literalOf(item, isListType(inner) ? inner.ofType : inner)).join(', ')}]`;
  if (isEnumType(inner)) return String(value);
  if (isInputObjectType(inner) && typeof value === 'object' && value !== null) {
    const fields = inner.getFields();
    return `{ ${Object.entries(value)
      .map(([k, v]) => `${k}: ${literalOf(v, fields[k]?.type ?? inner)}`)
      .join(', ')} }`;
  }
  if (isScalarType(inner) && inner.name === 'JSONObject' && typeof value === 'object' && value !== null) {
    return `{ ${Object.entries(value)
      .map(([k, v]) => `${k}: ${JSON.stringify(v)}`)
      .join(', ')} }`;
  }
  // JSON string escapes are GraphQL string escapes (\u0000 included).
  return JSON.stringify(value);
}

const argumentList = (field: GraphQLField<unknown, unknown>, given: Record<string, string>) => {
  const parts = field.args
    .filter((a) => a.name in given || (isNonNullType(a.type) && a.defaultValue === undefined) || a.name === 'first')
    .map((a) => `${a.name}: ${given[a.name] ?? (a.name === 'first' ? '1' : literalOf(dummyJson(a.type), a.type))}`);
  return parts.length > 0 ? `(${parts.join(', ')})` : '';
};

const selectionFor = (field: GraphQLField<unknown, unknown>) => (isLeafType(getNamedType(field.type)) ? '' : ' { __typename }');

/** For each object type reachable from a root: the selection text that leads to it. */
function pathsToTypes(schema: GraphQLSchema): Map<string, { root: 'query' | 'mutation'; wrap: (inner: string) => string }> {
  const paths = new Map<string, { root: 'query' | 'mutation'; wrap: (inner: string) => string }>();
  const queue: GraphQLObjectType[] = [];
  for (const [root, type] of [
    ['query', schema.getQueryType()],
    ['mutation', schema.getMutationType()],
  ] as const) {
    if (type && !paths.has(type.name)) {
      paths.set(type.name, { root, wrap: (inner) => inner });
      queue.push(type);
    }
  }
  while (queue.length > 0) {
    const type = queue.shift();
    if (!type) break;
    const from = paths.get(type.name);
    if (!from) continue;
    for (const field of Object.values(type.getFields())) {
      const target = getNamedType(field.type);
      const objects = isObjectType(target) ? [target] : isAbstractType(target) ? schema.getPossibleTypes(target) : [];
      for (const object of objects) {
        if (paths.has(object.name)) continue;
        const spread = isAbstractType(target) ? (inner: string) => `... on ${object.name} { ${inner} }` : (inner: string) => inner;
        paths.set(object.name, { root: from.root, wrap: (inner) => from.wrap(`${field.name}${argumentList(field, {})} { ${spread(inner)} }`) });
        queue.push(object);
      }
    }
  }
  return paths;
}

/** The text positions inside an argument of `type`: `[]` for the argument itself, `['name']` for input.name … */
function textPositions(type: GraphQLInputType, seen: Set<string>, path: string[] = []): Array<{ path: string[]; owner: string }> {
  const named = getNamedType(type);
  if (TEXT_SCALARS.has(named.name)) return [{ path, owner: '' }];
  if (!isInputObjectType(named) || seen.has(named.name)) return [];
  seen.add(named.name);
  return Object.values(named.getFields()).flatMap((field) =>
    textPositions(field.type, seen, [...path, field.name]).map((p) => (p.owner ? p : { ...p, owner: `${named.name}.${field.name}` })),
  );
}

/** `dummyJson(type)` with `text` at `path` (inside lists, as their one item). */
function valueWith(type: GraphQLInputType, path: readonly string[], text: string): unknown {
  const inner = getNullableType(type);
  if (isListType(inner)) return [valueWith(inner.ofType, path, text)];
  const [head, ...rest] = path;
  if (head === undefined || !isInputObjectType(inner)) return text;
  const field = inner.getFields()[head];
  const base = dummyJson(inner) as Record<string, unknown>;
  return field ? { ...base, [head]: valueWith(field.type, rest, text) } : base;
}

/** The path the gateway names, as the value built by valueWith has it: `access[0].principalId`. */
function argumentPath(arg: GraphQLArgument, inside: readonly string[]): string {
  let type: GraphQLInputType = arg.type;
  let label = arg.name;
  for (const name of ['', ...inside]) {
    if (name) {
      const named = getNamedType(type);
      const field = isInputObjectType(named) ? named.getFields()[name] : undefined;
      if (!field) break;
      type = field.type;
      label += `.${name}`;
    }
    if (isListType(getNullableType(type))) label += '[0]';
  }
  return label;
}

export function textInputs(schema: GraphQLSchema): TextInput[] {
  const paths = pathsToTypes(schema);
  const inputFieldsDone = new Set<string>();
  const found: TextInput[] = [];
  for (const [typeName, path] of paths) {
    const type = schema.getType(typeName);
    if (!isObjectType(type)) continue;
    for (const field of Object.values(type.getFields())) {
      for (const arg of field.args) {
        for (const position of textPositions(arg.type, new Set())) {
          if (position.owner && inputFieldsDone.has(position.owner)) continue;
          if (position.owner) inputFieldsDone.add(position.owner);
          found.push(textInput(path, typeName, field, arg, position.path));
        }
      }
    }
  }
  return found;
}

function textInput(
  path: { root: 'query' | 'mutation'; wrap: (inner: string) => string },
  typeName: string,
  field: GraphQLField<unknown, unknown>,
  arg: GraphQLArgument,
  inside: readonly string[],
): TextInput {
  const argument = argumentPath(arg, inside);
  const operation = (given: string, variables: string) =>
    `${path.root}${variables} { ${path.wrap(`${field.name}${argumentList(field, { [arg.name]: given })}${selectionFor(field)}`)} }`;
  return {
    label: `${typeName}.${field.name}(${argument})`,
    argument,
    cursor: inside.length === 0 && (arg.name === 'after' || arg.name === 'before') && getNamedType(arg.type).name === 'String',
    query: operation('$v', `($v: ${String(arg.type)})`),
    value: (text) => valueWith(arg.type, inside, text),
    literal: (text) => operation(literalOf(valueWith(arg.type, inside, text), arg.type), ''),
  };
}
