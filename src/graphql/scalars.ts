import { GraphQLError, GraphQLScalarType, Kind, type ValueNode } from 'graphql';

function parseDate(value: unknown): Date {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}T/.test(value) || Number.isNaN(Date.parse(value))) {
    throw new GraphQLError('DateTime must be an ISO 8601 string with a time, such as "2026-11-23T12:00:00Z".', {
      extensions: { code: 'BAD_USER_INPUT' },
    });
  }
  return new Date(value);
}

export const DateTimeScalar = new GraphQLScalarType<Date, string>({
  name: 'DateTime',
  description: 'An instant, as an ISO 8601 string in UTC.',
  serialize: (value) => (value instanceof Date ? value.toISOString() : new Date(String(value)).toISOString()),
  parseValue: parseDate,
  parseLiteral: (ast: ValueNode) => parseDate(ast.kind === Kind.STRING ? ast.value : undefined),
});

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function literalToValue(ast: ValueNode): unknown {
  switch (ast.kind) {
    case Kind.STRING:
    case Kind.BOOLEAN:
      return ast.value;
    case Kind.INT:
    case Kind.FLOAT:
      return Number(ast.value);
    case Kind.NULL:
      return null;
    case Kind.LIST:
      return ast.values.map(literalToValue);
    case Kind.OBJECT:
      return Object.fromEntries(ast.fields.map((field) => [field.name.value, literalToValue(field.value)]));
    default:
      throw new GraphQLError('JSONObject literals cannot contain variables.', { extensions: { code: 'BAD_USER_INPUT' } });
  }
}

export const JSONObjectScalar = new GraphQLScalarType<Record<string, unknown>, Record<string, unknown>>({
  name: 'JSONObject',
  description: 'A JSON object.',
  serialize: (value) => (isPlainObject(value) ? value : {}),
  parseValue: (value) => {
    if (!isPlainObject(value)) throw new GraphQLError('Expected a JSON object.', { extensions: { code: 'BAD_USER_INPUT' } });
    return value;
  },
  parseLiteral: (ast) => {
    const value = literalToValue(ast);
    if (!isPlainObject(value)) throw new GraphQLError('Expected a JSON object.', { extensions: { code: 'BAD_USER_INPUT' } });
    return value;
  },
});
