import fs from 'node:fs';
import path from 'node:path';
import {
  buildSchema,
  Kind,
  parse,
  specifiedRules,
  validate,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import { slicingArgumentsRule } from '../../src/graphql/limits/slicing-arguments.rule.js';
import { operationDepth } from '../../src/graphql/limits/depth-limit.rule.js';
import { operationCost } from '../../src/graphql/limits/operation-cost.js';
import { SCHEMA_DIR } from '../../src/paths.js';

/** The `@cost` and `@listSize` definitions exactly as schema/common.graphql declares them. */
export function costDirectiveDefinitions(): string {
  const common = fs.readFileSync(path.join(SCHEMA_DIR, 'common.graphql'), 'utf8');
  const definitions = parse(common).definitions.filter((d) => d.kind === Kind.DIRECTIVE_DEFINITION && ['cost', 'listSize'].includes(d.name.value));
  return definitions.map((d) => common.slice(d.loc?.start, d.loc?.end)).join('\n');
}

/** A schema from `sdl` plus the cost directives' definitions. */
export function schemaWithCostDirectives(sdl: string): GraphQLSchema {
  return buildSchema(`${costDirectiveDefinitions()}\n${sdl}`);
}

export interface Measured {
  name: string;
  cost: number;
  depth: number;
}

function fragmentsOf(document: DocumentNode): Map<string, FragmentDefinitionNode> {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  return fragments;
}

/** Each operation of a document, validated (graphql-js's rules and the slicing rule), with its cost and depth. */
export function measure(schema: GraphQLSchema, text: string, variables: Record<string, unknown> = {}): Measured[] {
  const document = parse(text);
  const errors = validate(schema, document, [...specifiedRules, slicingArgumentsRule]);
  if (errors.length > 0) throw new Error(errors.map((e) => e.message).join('\n'));
  const fragments = fragmentsOf(document);
  return document.definitions
    .filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)
    .map((operation) => ({
      name: operation.name?.value ?? '(anonymous)',
      cost: operationCost(schema, operation, fragments, variables),
      depth: operationDepth(operation, (name) => fragments.get(name)),
    }));
}

/** The cost of a document's only operation. */
export function costOf(schema: GraphQLSchema, text: string, variables: Record<string, unknown> = {}): number {
  const [only] = measure(schema, text, variables);
  if (!only) throw new Error('The document has no operation.');
  return only.cost;
}

/** The validation errors the slicing rule alone reports. */
export function slicingErrors(schema: GraphQLSchema, text: string): string[] {
  return validate(schema, parse(text), [slicingArgumentsRule]).map((e) => e.message);
}
