import type { ApolloServerPlugin } from '@apollo/server';
import {
  getNamedType,
  getNullableType,
  GraphQLString,
  isInputObjectType,
  isInputType,
  isListType,
  Kind,
  TypeInfo,
  visit,
  typeFromAST,
  visitWithTypeInfo,
  type DocumentNode,
  type GraphQLInputType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type ValueNode,
} from 'graphql';
import { firstUnstorable } from '../db/storable-text.js';
import { BadUserInputError } from '../errors.js';
import { isWellFormedCursor } from './pagination.js';

/**
 * Where a value sits: the field or directive (`Mutation.createTool`), the argument as far as the
 * schema goes (`input.name`, `access[0].principalId`), and the path inside a JSONObject value.
 */
interface Place {
  coordinate: string;
  field: string;
  /** Inside a JSONObject (or other non-text scalar) value, `.key[1]`; '' outside one. */
  inside: string;
  /** The type at this place; undefined inside a scalar value. */
  type: GraphQLInputType | undefined;
  /** An `after`/`before` String argument: a cursor of a list. */
  cursor: boolean;
  variable?: string;
}

const CURSOR_ARGUMENTS = new Set(['after', 'before']);

/** The place of an input object's field, a list's item or a key inside a scalar value. */
function step(place: Place, key: string | number): Place {
  const type = place.type === undefined ? undefined : getNullableType(place.type);
  const label = typeof key === 'number' ? `[${key}]` : `.${key}`;
  const next = { ...place, cursor: false };
  if (type !== undefined && isListType(type)) return { ...next, field: place.field + label, type: type.ofType };
  if (type !== undefined && isInputObjectType(type) && typeof key === 'string') {
    return { ...next, field: place.field + label, type: type.getFields()[key]?.type };
  }
  return { ...next, inside: place.inside + label, type: undefined };
}

/**
 * Refuses, before anything executes, every argument value PostgreSQL could not store or a list
 * could not page with: a NUL or an unpaired UTF-16 surrogate in any string (in literals and in
 * variables, JSONObject values and keys included), and an `after`/`before` that is not a cursor
 * the gateway writes. One check for the whole schema, so that no resolver can forget it and no
 * such value reaches the database as an internal error (issue 15 §6). BAD_USER_INPUT, HTTP 400,
 * naming the argument in `extensions.field` (the input path, as resolvers' own checks do), the
 * path inside a JSONObject value in `extensions.path`, and the field or directive in
 * `extensions.coordinate`.
 */
export function storableInputPlugin<TContext extends object>(): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ schema, document, operation, request }) {
          if (operation) checkOperation(schema, document, operation, request.variables ?? {});
        },
      };
    },
  };
}

function checkOperation(schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode, variables: Record<string, unknown>): void {
  const usages = new Map<string, Place>();
  const typeInfo = new TypeInfo(schema);
  // The selected operation and the fragments (validation has refused unused ones).
  const definitions = document.definitions.filter((d) => d === operation || d.kind === Kind.FRAGMENT_DEFINITION);
  visit(
    { ...document, definitions },
    visitWithTypeInfo(typeInfo, {
      Argument(node) {
        const argument = typeInfo.getArgument() ?? undefined;
        const directive = typeInfo.getDirective();
        const coordinate = directive ? `@${directive.name}` : `${typeInfo.getParentType()?.name ?? '?'}.${typeInfo.getFieldDef()?.name ?? '?'}`;
        const cursor = !directive && CURSOR_ARGUMENTS.has(node.name.value) && argument !== undefined && getNamedType(argument.type) === GraphQLString;
        checkLiteral(node.value, { coordinate, field: node.name.value, inside: '', type: argument?.type, cursor }, usages);
      },
    }),
  );
  for (const definition of operation.variableDefinitions ?? []) {
    const name = definition.variable.name.value;
    // A variable nothing uses reaches nothing; it is checked all the same, under its own name.
    const declared = typeFromAST(schema, definition.type);
    const type = declared !== undefined && isInputType(declared) ? declared : undefined;
    const used = usages.get(name) ?? { coordinate: operation.name?.value ?? 'the operation', field: `$${name}`, inside: '', type, cursor: false };
    const place = { ...used, variable: name };
    if (name in variables) checkVariable(variables[name], place);
    else if (definition.defaultValue) checkLiteral(definition.defaultValue, place, new Map());
  }
}

function checkLiteral(value: ValueNode, place: Place, usages: Map<string, Place>): void {
  switch (value.kind) {
    case Kind.STRING:
      return checkString(value.value, place);
    case Kind.VARIABLE:
      if (!usages.has(value.name.value) || place.cursor) usages.set(value.name.value, place);
      return;
    case Kind.LIST:
      return value.values.forEach((item, index) => checkLiteral(item, step(place, index), usages));
    case Kind.OBJECT:
      return value.fields.forEach((field) => checkLiteral(field.value, step(place, field.name.value), usages));
    default:
      return;
  }
}

/** A variable's JSON value as sent, before coercion: every string in it, keys included. */
function checkVariable(value: unknown, place: Place): void {
  if (typeof value === 'string') return checkString(value, place);
  if (Array.isArray(value)) return value.forEach((item, index) => checkVariable(item, step(place, index)));
  if (typeof value !== 'object' || value === null) return;
  for (const [key, item] of Object.entries(value)) {
    checkString(key, place);
    checkVariable(item, step(place, key));
  }
}

function checkString(text: string, place: Place): void {
  const inside = place.inside.replace(/^\./, '');
  const where = `argument "${place.field}"${inside ? ` at ${inside}` : ''} of ${place.coordinate}${place.variable ? ` (variable $${place.variable})` : ''}`;
  const extensions = {
    field: place.field,
    ...(inside ? { path: inside } : {}),
    coordinate: place.coordinate,
    ...(place.variable ? { variable: place.variable } : {}),
    http: { status: 400 },
  };
  const bad = firstUnstorable(text);
  if (bad !== undefined) {
    const what = bad === 0 ? 'a NUL character (U+0000)' : `an unpaired UTF-16 surrogate (U+${bad.toString(16).toUpperCase()})`;
    throw new BadUserInputError(`The ${where} contains ${what}, which cannot be stored: send well-formed Unicode text without NUL.`, extensions);
  }
  if (place.cursor && !isWellFormedCursor(text)) {
    // `argument`, as the lists' own cursor checks name it.
    const message = `The ${where} is not a cursor of this list: pass a pageInfo.endCursor you received, or omit it.`;
    throw new BadUserInputError(message, { ...extensions, argument: place.field });
  }
}
