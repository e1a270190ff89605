import fs from 'node:fs';
import path from 'node:path';
import { Kind, parse, print, separateOperations, visit, type DocumentNode, type SelectionSetNode } from 'graphql';
import { ROOT_DIR } from '../src/paths.js';

const OPERATIONS = path.join(ROOT_DIR, 'test/fixtures/frontend/operations');

/**
 * The frontend's screens as it sends them (test/fixtures/frontend/operations): one operation
 * by name, with the fragments it uses.
 */
export function screen(name: string): DocumentNode {
  // Fragments are shared between files: the screens are one document, as the frontend's codegen reads them.
  const all = fs
    .readdirSync(OPERATIONS)
    .filter((file) => file.endsWith('.graphql'))
    .sort()
    .map((file) => fs.readFileSync(path.join(OPERATIONS, file), 'utf8'))
    .join('\n');
  const operation = separateOperations(parse(all))[name];
  if (!operation) throw new Error(`no operation ${name} in ${OPERATIONS}`);
  return operation;
}

/**
 * `document` without the field `field` wherever it is selected directly under a field or
 * fragment named `parent`: the same screen without one of its parts.
 */
export function without(document: DocumentNode, parent: string, field: string): DocumentNode {
  let removed = 0;
  const prune = (selectionSet: SelectionSetNode): SelectionSetNode => ({
    ...selectionSet,
    selections: selectionSet.selections.filter((selection) => {
      const drop = selection.kind === Kind.FIELD && selection.name.value === field;
      if (drop) removed++;
      return !drop;
    }),
  });
  const pruned = visit(document, {
    Field: (node) => (node.name.value === parent && node.selectionSet ? { ...node, selectionSet: prune(node.selectionSet) } : undefined),
    FragmentDefinition: (node) => (node.name.value === parent ? { ...node, selectionSet: prune(node.selectionSet) } : undefined),
  });
  if (removed === 0) throw new Error(`no field ${field} under ${parent} in the document`);
  return pruned;
}

/** A request body: the printed document and its variables. */
export function body(document: DocumentNode, variables: Record<string, unknown>): string {
  return JSON.stringify({ query: print(document), variables });
}
