import {
  getNamedType,
  isCompositeType,
  Kind,
  SchemaMetaFieldDef,
  TypeMetaFieldDef,
  TypeNameMetaFieldDef,
  valueFromASTUntyped,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { DEFAULT_PAGE_SIZE } from '../pagination.js';

type Variables = Readonly<Record<string, unknown>>;

function fieldDefinition(schema: GraphQLSchema, parent: GraphQLCompositeType, name: string): GraphQLField<unknown, unknown> | undefined {
  if (name === '__typename') return TypeNameMetaFieldDef;
  if (name === '__schema' && parent === schema.getQueryType()) return SchemaMetaFieldDef;
  if (name === '__type' && parent === schema.getQueryType()) return TypeMetaFieldDef;
  return 'getFields' in parent ? parent.getFields()[name] : undefined;
}

/** A field's own cost: its `@cost(weight:)` in the SDL (schema/common.graphql), else 1. */
function weightOf(definition: GraphQLField<unknown, unknown> | undefined): number {
  const directive = definition?.astNode?.directives?.find((d) => d.name.value === 'cost');
  const weight = directive?.arguments?.find((a) => a.name.value === 'weight')?.value;
  return weight?.kind === Kind.INT ? Number(weight.value) : 1;
}

/** The page size a field asks for: `first` or `last` (the larger), resolved from the variables. */
function pageSize(node: FieldNode, variables: Variables): number | undefined {
  let size: number | undefined;
  for (const argument of node.arguments ?? []) {
    if (argument.name.value !== 'first' && argument.name.value !== 'last') continue;
    const value = valueFromASTUntyped(argument.value, variables);
    if (typeof value === 'number' && Number.isFinite(value)) size = Math.max(size ?? 0, Math.max(0, Math.floor(value)));
  }
  return size;
}

/**
 * The cost of an operation: every field costs 1 (or its `@cost` weight), and a field with `first` or `last` multiplies
 * the cost of its selection set by that value; a connection field (its type's name ends in
 * `Connection`) without them by DEFAULT_PAGE_SIZE, the page size its resolver then uses.
 * `variables` are the request's, with the operation's defaults filled in. Fragments are measured
 * once each (memoized); the operation is validated by then, so it has no fragment cycle.
 */
export function operationCost(
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
  fragments: ReadonlyMap<string, FragmentDefinitionNode>,
  requestVariables: Variables,
): number {
  const variables: Record<string, unknown> = {};
  for (const definition of operation.variableDefinitions ?? []) {
    const name = definition.variable.name.value;
    if (name in requestVariables) variables[name] = requestVariables[name];
    else if (definition.defaultValue) variables[name] = valueFromASTUntyped(definition.defaultValue);
  }
  const memo = new Map<string, number>();

  const setCost = (set: SelectionSetNode, parent: GraphQLCompositeType): number => {
    let total = 0;
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        total += fieldCost(selection, parent);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const condition = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : parent;
        total += condition && isCompositeType(condition) ? setCost(selection.selectionSet, condition) : 0;
      } else {
        total += fragmentCost(selection.name.value);
      }
    }
    return total;
  };

  const fieldCost = (node: FieldNode, parent: GraphQLCompositeType): number => {
    const definition = fieldDefinition(schema, parent, node.name.value);
    const type = definition ? getNamedType(definition.type) : undefined;
    const weight = weightOf(definition);
    if (!node.selectionSet || !type || !isCompositeType(type)) return weight;
    const multiplier = pageSize(node, variables) ?? (type.name.endsWith('Connection') ? DEFAULT_PAGE_SIZE : 1);
    return weight + multiplier * setCost(node.selectionSet, type);
  };

  const fragmentCost = (name: string): number => {
    const known = memo.get(name);
    if (known !== undefined) return known;
    const definition = fragments.get(name);
    const condition = definition ? schema.getType(definition.typeCondition.name.value) : undefined;
    memo.set(name, 0); // a cycle (rejected by validation already) counts nothing
    const cost = definition && condition && isCompositeType(condition) ? setCost(definition.selectionSet, condition) : 0;
    memo.set(name, cost);
    return cost;
  };

  const root = schema.getRootType(operation.operation);
  return root ? setCost(operation.selectionSet, root) : 0;
}
