import {
  getNullableType,
  isInputObjectType,
  isListType,
  Kind,
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLInputField,
  type GraphQLInputType,
  type FieldNode,
  type ValueNode,
} from 'graphql';
import { inputWeight } from './cost-directives.js';

type Variables = Readonly<Record<string, unknown>>;
type InputDefinition = GraphQLArgument | GraphQLInputField;

// A recursive input type (none today) could nest a variable's value as deep as the body allows;
// past this depth the rest adds nothing rather than exhausting the stack. graphql-js's own
// coercion, which runs later, refuses what is malformed.
const MAX_NESTING = 32;

/**
 * What a field's arguments add, as Apollo Router scores them: an input object 1 (or its `@cost`)
 * plus its fields, a list the sum of its items, a scalar or an enum its `@cost` or nothing, null
 * nothing. Variables are scored from the request's values, so a list of ten thousand input objects
 * costs ten thousand, inline or not. The walk follows the argument's type, never the value's shape:
 * an array nested deeper than the type's lists adds nothing.
 */
export function argumentsCost(definition: GraphQLField<unknown, unknown>, node: FieldNode, variables: Variables): number {
  let cost = 0;
  for (const argument of node.arguments ?? []) {
    const argumentDefinition = definition.args.find((a) => a.name === argument.name.value);
    if (argumentDefinition) cost += literalCost(argument.value, argumentDefinition, argumentDefinition.type, variables, 0);
  }
  return cost;
}

function literalCost(value: ValueNode, definition: InputDefinition, type: GraphQLInputType, variables: Variables, depth: number): number {
  if (value.kind === Kind.VARIABLE) return valueCost(variables[value.name.value], definition, type, depth);
  if (value.kind === Kind.NULL || depth > MAX_NESTING) return 0;
  const nullable = getNullableType(type);
  if (isListType(nullable)) {
    // A single item where a list is expected is coerced to a list of one (GraphQL input coercion).
    const items = value.kind === Kind.LIST ? value.values : [value];
    return (inputWeight(definition) ?? 0) + items.reduce((sum, item) => sum + literalCost(item, definition, nullable.ofType, variables, depth + 1), 0);
  }
  if (isInputObjectType(nullable)) {
    if (value.kind !== Kind.OBJECT) return 0;
    const fields = nullable.getFields();
    let cost = inputWeight(definition) ?? 1;
    for (const field of value.fields) {
      const fieldDefinition = fields[field.name.value];
      if (fieldDefinition) cost += literalCost(field.value, fieldDefinition, fieldDefinition.type, variables, depth + 1);
    }
    return cost;
  }
  return inputWeight(definition) ?? 0;
}

function valueCost(value: unknown, definition: InputDefinition, type: GraphQLInputType, depth: number): number {
  if (value === null || value === undefined || depth > MAX_NESTING) return 0;
  const nullable = getNullableType(type);
  if (isListType(nullable)) {
    const items: unknown[] = Array.isArray(value) ? value : [value];
    return (inputWeight(definition) ?? 0) + items.reduce<number>((sum, item) => sum + valueCost(item, definition, nullable.ofType, depth + 1), 0);
  }
  if (isInputObjectType(nullable)) {
    if (typeof value !== 'object' || Array.isArray(value)) return 0;
    const fields = nullable.getFields();
    let cost = inputWeight(definition) ?? 1;
    for (const [name, item] of Object.entries(value)) {
      const fieldDefinition = fields[name];
      if (fieldDefinition) cost += valueCost(item, fieldDefinition, fieldDefinition.type, depth + 1);
    }
    return cost;
  }
  return inputWeight(definition) ?? 0;
}
