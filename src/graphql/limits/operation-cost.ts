import {
  getNamedType,
  getNullableType,
  isCompositeType,
  isListType,
  Kind,
  OperationTypeNode,
  SchemaMetaFieldDef,
  TypeMetaFieldDef,
  valueFromASTUntyped,
  type DirectiveNode,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { argumentsCost } from './argument-cost.js';
import { fieldCostDirectives, typeWeight, type ListSize } from './cost-directives.js';

type Variables = Readonly<Record<string, unknown>>;
type AnyField = GraphQLField<unknown, unknown>;

/** What a mutation costs before its fields, as in Apollo Router: it writes, in a transaction, with an audit entry. */
export const MUTATION_BASE_COST = 10;

// The largest GraphQL Int: a slicing argument beyond it fails coercion anyway, and clamping keeps
// the arithmetic finite whatever a variable holds.
const MAX_INT = 2_147_483_647;

/** The size a parent's `@listSize(sizedFields:)` gives to some of the list fields below it. */
interface Sizing {
  size: number;
  fields: ReadonlySet<string>;
  /** Tells memoized fragments measured under different sizings apart. */
  key: string;
}

function fieldDefinition(schema: GraphQLSchema, parent: GraphQLCompositeType, name: string): AnyField | undefined {
  if (name === '__schema' && parent === schema.getQueryType()) return SchemaMetaFieldDef;
  if (name === '__type' && parent === schema.getQueryType()) return TypeMetaFieldDef;
  return 'getFields' in parent ? parent.getFields()[name] : undefined;
}

/** `@skip(if: true)` or `@include(if: false)`, literal or from a variable: the selection is not executed, so it costs nothing. */
function excluded(directives: readonly DirectiveNode[] | undefined, variables: Variables): boolean {
  for (const directive of directives ?? []) {
    const name = directive.name.value;
    if (name !== 'skip' && name !== 'include') continue;
    const condition = directive.arguments?.find((a) => a.name.value === 'if')?.value;
    const value = condition ? valueFromASTUntyped(condition, variables) : undefined;
    if (typeof value === 'boolean' && value === (name === 'skip')) return true;
  }
  return false;
}

/** A slicing argument's value: given in the operation (literal or variable), else its SDL default; null and non-numbers count as absent. */
function slicingValue(definition: AnyField, node: FieldNode, name: string, variables: Variables): number | undefined {
  const given = node.arguments?.find((a) => a.name.value === name);
  const value = given ? valueFromASTUntyped(given.value, variables) : undefined;
  const chosen = typeof value === 'number' ? value : definition.args.find((a) => a.name === name)?.defaultValue;
  return typeof chosen === 'number' && Number.isFinite(chosen) ? Math.min(MAX_INT, Math.max(0, Math.floor(chosen))) : undefined;
}

/** The size `@listSize` gives: the largest slicing argument given, else `assumedSize` (Apollo Router's reading of the IBM spec). */
export function listSizeOf(listSize: ListSize, definition: AnyField, node: FieldNode, variables: Variables): number | undefined {
  let largest: number | undefined;
  for (const name of listSize.slicingArguments) {
    const value = slicingValue(definition, node, name, variables);
    if (value !== undefined) largest = Math.max(largest ?? 0, value);
  }
  return largest ?? listSize.assumedSize;
}

/** The request's variables with the operation's defaults filled in, as execution will see them. */
function variablesOf(operation: OperationDefinitionNode, requestVariables: Variables): Record<string, unknown> {
  const variables: Record<string, unknown> = {};
  for (const definition of operation.variableDefinitions ?? []) {
    const name = definition.variable.name.value;
    if (name in requestVariables) variables[name] = requestVariables[name];
    else if (definition.defaultValue) variables[name] = valueFromASTUntyped(definition.defaultValue);
  }
  return variables;
}

/**
 * The cost of an operation, from the IBM GraphQL Cost Directives in the SDL as Apollo Router's
 * demand control computes it (README "Limits"):
 * - an operation costs 0, a mutation MUTATION_BASE_COST, plus its fields;
 * - a field costs `count × (weight + its selection)` plus its arguments (argument-cost.ts);
 * - `weight` is the field's `@cost`, else its type's, else 1 for an object and 0 for a scalar,
 *   an enum or `__typename`;
 * - `count` is 1 unless the field returns a list: then the size a parent's `@listSize(sizedFields:)`
 *   gives it (a connection's `edges`), else its own `@listSize` (the largest slicing argument given,
 *   else `assumedSize`), else 1. Only introspection's lists have no `@listSize`: their size is the
 *   schema's, not the client's (test/limits/cost-coverage.test.ts checks every other list has one);
 * - a selection under `@skip(if: true)` or `@include(if: false)` costs nothing.
 * `requestVariables` are the request's raw variables; the operation's defaults are filled in.
 * Fragments are measured once per sizing (memoized); the operation is validated by then, so it has
 * no fragment cycle.
 */
/** The document's fragments by name, as operationCost reads them. */
export function fragmentsOf(document: DocumentNode): Map<string, FragmentDefinitionNode> {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  return fragments;
}

export function operationCost(
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
  fragments: ReadonlyMap<string, FragmentDefinitionNode>,
  requestVariables: Variables,
): number {
  const variables = variablesOf(operation, requestVariables);
  const memo = new Map<string, number>();

  const setCost = (set: SelectionSetNode, parent: GraphQLCompositeType, sizing: Sizing | undefined): number => {
    let total = 0;
    for (const selection of set.selections) {
      if (excluded(selection.directives, variables)) continue;
      if (selection.kind === Kind.FIELD) {
        total += fieldCost(selection, parent, sizing);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const condition = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : parent;
        total += condition && isCompositeType(condition) ? setCost(selection.selectionSet, condition, sizing) : 0;
      } else {
        total += fragmentCost(selection.name.value, sizing);
      }
    }
    return total;
  };

  const fieldCost = (node: FieldNode, parent: GraphQLCompositeType, sizing: Sizing | undefined): number => {
    const definition = node.name.value === '__typename' ? undefined : fieldDefinition(schema, parent, node.name.value);
    if (!definition) return 0;
    const { weight, listSize } = fieldCostDirectives(definition);
    const size = listSize ? listSizeOf(listSize, definition, node, variables) : undefined;
    const isList = isListType(getNullableType(definition.type));
    const count = !isList ? 1 : sizing?.fields.has(node.name.value) ? sizing.size : (size ?? 1);
    const type = getNamedType(definition.type);
    const inner =
      node.selectionSet && isCompositeType(type)
        ? setCost(node.selectionSet, type, listSize && size !== undefined && listSize.sizedFields.size > 0 ? sizingOf(listSize, size) : undefined)
        : 0;
    return count * ((weight ?? typeWeight(type)) + inner) + argumentsCost(definition, node, variables);
  };

  const fragmentCost = (name: string, sizing: Sizing | undefined): number => {
    const key = `${name}\n${sizing?.key ?? ''}`;
    const known = memo.get(key);
    if (known !== undefined) return known;
    const definition = fragments.get(name);
    const condition = definition ? schema.getType(definition.typeCondition.name.value) : undefined;
    memo.set(key, 0); // a cycle (rejected by validation already) counts nothing
    const cost = definition && condition && isCompositeType(condition) ? setCost(definition.selectionSet, condition, sizing) : 0;
    memo.set(key, cost);
    return cost;
  };

  const root = schema.getRootType(operation.operation);
  const base = operation.operation === OperationTypeNode.MUTATION ? MUTATION_BASE_COST : 0;
  const cost = base + (root ? setCost(operation.selectionSet, root, undefined) : 0);
  // Only an absurd slicing argument on many nested lists gets here; any such cost is refused alike.
  return Number.isFinite(cost) ? cost : Number.MAX_SAFE_INTEGER;
}

function sizingOf(listSize: ListSize, size: number): Sizing {
  return { size, fields: listSize.sizedFields, key: `${size}:${[...listSize.sizedFields].sort().join(',')}` };
}
