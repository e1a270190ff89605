import {
  getNamedType,
  getNullableType,
  isInputObjectType,
  isInterfaceType,
  isListType,
  isObjectType,
  Kind,
  type ConstDirectiveNode,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLSchema,
} from 'graphql';
import { fieldCostDirectives } from './cost-directives.js';

type AnyField = GraphQLField<unknown, unknown>;

/**
 * What is wrong with the cost directives of a schema, one sentence per problem saying what to
 * change; empty when the cost of every operation is determined by the SDL. Checked by
 * test/limits/cost-coverage.test.ts, so that a list added later cannot silently cost 1 per item:
 * - every field returning a list has `@listSize`, or is sized by every field that returns its
 *   type (a connection's `edges`, through the connection field's `sizedFields`);
 * - every field returning a connection (Relay's shape: an `edges` list and a `pageInfo`) sizes
 *   its `edges` through `sizedFields`;
 * - each `@listSize` is well formed (Apollo Federation's checks): on a list, or sizing fields of
 *   the object it returns; slicing arguments that are Int arguments of the field; sized fields
 *   that are lists; an assumedSize of 0 or more; and a size always known, from `assumedSize` or
 *   from the one slicing argument `requireOneSlicingArgument` makes operations give;
 * - each `@cost` weight is an Int of 0 or more (a negative weight would let an operation buy cost back).
 */
export function costDirectiveProblems(schema: GraphQLSchema): string[] {
  const problems: string[] = [];
  const returning = fieldsReturning(schema);
  // A list field whose parents all size it (through sizedFields) needs no @listSize of its own.
  const sizedByParents = (type: GraphQLNamedType, field: AnyField) => {
    const parents = returning.get(type.name) ?? [];
    return parents.length > 0 && parents.every((parent) => fieldCostDirectives(parent).listSize?.sizedFields.has(field.name) === true);
  };
  for (const type of Object.values(schema.getTypeMap())) {
    if (type.name.startsWith('__')) continue;
    problems.push(
      ...costProblems(
        type.name,
        [type.astNode, ...(type.extensionASTNodes ?? [])].flatMap((node) => node?.directives ?? []),
      ),
    );
    if (isInputObjectType(type)) {
      for (const field of Object.values(type.getFields())) problems.push(...costProblems(`${type.name}.${field.name}`, field.astNode?.directives));
    }
    if (!isObjectType(type) && !isInterfaceType(type)) continue;
    for (const field of Object.values(type.getFields())) {
      const name = `${type.name}.${field.name}`;
      problems.push(...costProblems(name, field.astNode?.directives), ...listSizeProblems(name, field, sizedByParents(type, field)));
      for (const argument of field.args) problems.push(...costProblems(`${name}(${argument.name}:)`, argument.astNode?.directives));
    }
  }
  return problems;
}

function costProblems(where: string, directives: readonly ConstDirectiveNode[] | undefined): string[] {
  const cost = directives?.find((d) => d.name.value === 'cost');
  const weight = cost?.arguments?.find((a) => a.name.value === 'weight')?.value;
  if (!cost || (weight?.kind === Kind.INT && Number(weight.value) >= 0)) return [];
  return [`${where}: @cost(weight:) must be an Int of 0 or more.`];
}

/** Relay's connection shape: a list field `edges` and a field `pageInfo`. */
function isConnection(type: GraphQLNamedType): boolean {
  if (!isObjectType(type)) return false;
  const fields = type.getFields();
  return fields.pageInfo !== undefined && fields.edges !== undefined && isListType(getNullableType(fields.edges.type));
}

/** For each type, the fields (of every object and interface type) that return it. */
function fieldsReturning(schema: GraphQLSchema): Map<string, AnyField[]> {
  const returning = new Map<string, AnyField[]>();
  for (const type of Object.values(schema.getTypeMap())) {
    if (type.name.startsWith('__') || !(isObjectType(type) || isInterfaceType(type))) continue;
    for (const field of Object.values(type.getFields())) {
      const target = getNamedType(field.type).name;
      returning.set(target, [...(returning.get(target) ?? []), field]);
    }
  }
  return returning;
}

function listSizeProblems(name: string, field: AnyField, sizedByParents: boolean): string[] {
  const returnsList = isListType(getNullableType(field.type));
  const type = getNamedType(field.type);
  const node = field.astNode?.directives?.find((d) => d.name.value === 'listSize');
  if (!node) {
    if (returnsList && !sizedByParents) {
      return [
        `${name} returns a list but has no @listSize, and not every field returning its type sizes it: declare how many items it can hold (assumedSize), or which arguments size it (slicingArguments).`,
      ];
    }
    if (isConnection(type))
      return [
        `${name} returns a connection but has no @listSize: add @listSize(assumedSize: …, slicingArguments: ["first"], sizedFields: ["edges"], requireOneSlicingArgument: false).`,
      ];
    return [];
  }
  const problems: string[] = [];
  const value = (argument: string) => node.arguments?.find((a) => a.name.value === argument)?.value;
  const strings = (argument: string) => {
    const list = value(argument);
    const items = list?.kind === Kind.LIST ? list.values : list ? [list] : [];
    return items.flatMap((item) => (item.kind === Kind.STRING ? [item.value] : []));
  };
  const assumed = value('assumedSize');
  const slicing = strings('slicingArguments');
  const sized = strings('sizedFields');
  const require = value('requireOneSlicingArgument');
  const requireOne = require?.kind === Kind.BOOLEAN ? require.value : true;

  if (!returnsList && sized.length === 0) problems.push(`${name}: @listSize on a field that returns no list must name the list fields it sizes (sizedFields).`);
  if (isConnection(type) && !sized.includes('edges'))
    problems.push(`${name} returns a connection: its @listSize must size its edges (sizedFields: ["edges"]).`);
  if (assumed && !(assumed.kind === Kind.INT && Number(assumed.value) >= 0)) problems.push(`${name}: @listSize(assumedSize:) must be an Int of 0 or more.`);
  for (const argument of slicing) {
    const definition = field.args.find((a) => a.name === argument);
    if (!definition || getNamedType(definition.type).name !== 'Int' || isListType(getNullableType(definition.type))) {
      problems.push(`${name}: @listSize slicing argument "${argument}" is not an Int argument of the field.`);
    }
  }
  const fields = isObjectType(type) || isInterfaceType(type) ? type.getFields() : {};
  for (const sizedField of sized) {
    const child = fields[sizedField];
    if (!child || !isListType(getNullableType(child.type)))
      problems.push(`${name}: @listSize sized field "${sizedField}" is not a list field of ${type.name}.`);
  }
  if (!assumed && !(requireOne && slicing.length > 0)) {
    problems.push(
      `${name}: @listSize leaves the size unknown when no slicing argument is given: add assumedSize, or requireOneSlicingArgument: true with slicingArguments.`,
    );
  }
  return problems;
}
