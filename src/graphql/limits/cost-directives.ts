import {
  getNamedType,
  isCompositeType,
  isLeafType,
  Kind,
  type ConstDirectiveNode,
  type ConstValueNode,
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLInputField,
  type GraphQLNamedType,
} from 'graphql';

/**
 * Reads the IBM GraphQL Cost Directives (`@cost`, `@listSize`, schema/common.graphql) from the SDL
 * the schema was built from. They are read from each definition's `astNode`, which survives every
 * copy the gateway makes of its schema (graphql-shield, graphql-middleware, and the role-filtered
 * schemas of src/authz/visible-schema/, all built by mapSchema from `toConfig()`): the schema a
 * request runs against carries the same directives as schema/*.graphql.
 *
 * The cost runs on every request, so each definition's directives are parsed once and kept in a
 * WeakMap keyed by the definition object. Each schema copy has its own definition objects, so the
 * caches are per schema, and a schema dropped (a role-filtered server evicted) takes its entries
 * with it.
 */

/** `@listSize` on a field, as declared; `requireOneSlicingArgument` defaults to true, as the spec says. */
export interface ListSize {
  assumedSize: number | undefined;
  slicingArguments: readonly string[];
  sizedFields: ReadonlySet<string>;
  requireOneSlicingArgument: boolean;
}

export interface FieldCostDirectives {
  /** `@cost(weight:)` on the field itself. */
  weight: number | undefined;
  listSize: ListSize | undefined;
}

type AnyField = GraphQLField<unknown, unknown>;
type InputDefinition = GraphQLArgument | GraphQLInputField;

const NONE: FieldCostDirectives = { weight: undefined, listSize: undefined };
const fieldCache = new WeakMap<AnyField, FieldCostDirectives>();
const typeCache = new WeakMap<GraphQLNamedType, number>();
const inputCache = new WeakMap<InputDefinition, number | null>();

function directive(directives: readonly ConstDirectiveNode[] | undefined, name: string): ConstDirectiveNode | undefined {
  return directives?.find((d) => d.name.value === name);
}

function argument(node: ConstDirectiveNode, name: string): ConstValueNode | undefined {
  return node.arguments?.find((a) => a.name.value === name)?.value;
}

/** An Int literal as a number; anything else (a malformed SDL) as undefined: costDirectiveProblems reports it. */
function intValue(value: ConstValueNode | undefined): number | undefined {
  return value?.kind === Kind.INT ? Number(value.value) : undefined;
}

function stringList(value: ConstValueNode | undefined): string[] {
  if (!value) return [];
  const items = value.kind === Kind.LIST ? value.values : [value];
  return items.flatMap((item) => (item.kind === Kind.STRING ? [item.value] : []));
}

/** `@cost(weight:)` among these directives, if any. */
export function costWeight(directives: readonly ConstDirectiveNode[] | undefined): number | undefined {
  const cost = directive(directives, 'cost');
  return cost ? intValue(argument(cost, 'weight')) : undefined;
}

function parseListSize(node: ConstDirectiveNode): ListSize {
  const require = argument(node, 'requireOneSlicingArgument');
  return {
    assumedSize: intValue(argument(node, 'assumedSize')),
    slicingArguments: stringList(argument(node, 'slicingArguments')),
    sizedFields: new Set(stringList(argument(node, 'sizedFields'))),
    requireOneSlicingArgument: require?.kind === Kind.BOOLEAN ? require.value : true,
  };
}

/** The cost directives of an output field. */
export function fieldCostDirectives(field: AnyField): FieldCostDirectives {
  const known = fieldCache.get(field);
  if (known) return known;
  const directives = field.astNode?.directives;
  const listSize = directive(directives, 'listSize');
  const weight = costWeight(directives);
  const parsed = listSize || weight !== undefined ? { weight, listSize: listSize ? parseListSize(listSize) : undefined } : NONE;
  fieldCache.set(field, parsed);
  return parsed;
}

/**
 * What one value of this type costs when the field returning it has no `@cost` of its own: the
 * type's `@cost`, else Apollo's defaults, 1 for an object (an interface, a union) and 0 for a scalar
 * or an enum. An object is what the gateway loads, authorizes and completes field by field; a
 * scalar is a value of the object already loaded.
 */
export function typeWeight(type: GraphQLNamedType): number {
  const known = typeCache.get(type);
  if (known !== undefined) return known;
  const nodes = [type.astNode, ...(type.extensionASTNodes ?? [])];
  const declared = nodes.map((node) => costWeight(node?.directives)).find((weight) => weight !== undefined);
  const weight = declared ?? (isCompositeType(type) ? 1 : 0);
  typeCache.set(type, weight);
  return weight;
}

/**
 * `@cost` on an argument or an input field, else on its scalar or enum type (the directive has no
 * INPUT_OBJECT location); null without either, for the caller's default.
 */
export function inputWeight(definition: InputDefinition): number | null {
  const known = inputCache.get(definition);
  if (known !== undefined) return known;
  const type = getNamedType(definition.type);
  const typeNodes = isLeafType(type) ? [type.astNode, ...(type.extensionASTNodes ?? [])] : [];
  const weight = costWeight(definition.astNode?.directives) ?? typeNodes.map((node) => costWeight(node?.directives)).find((w) => w !== undefined) ?? null;
  inputCache.set(definition, weight);
  return weight;
}
