import { Kind, type FieldNode, type FragmentDefinitionNode, type FragmentSpreadNode, type InlineFragmentNode, type SelectionSetNode } from 'graphql';

export type FragmentLookup = (name: string) => FragmentDefinitionNode | null | undefined;

/** How a measure (depth, aliases, directives) combines the parts of a selection set. */
export interface SelectionFold<T> {
  /** A field, given the measure of its own selection set (undefined for a leaf). */
  field(node: FieldNode, inner: T | undefined): T;
  /** An inline fragment, a spread or a fragment definition around an already measured set. */
  wrap(node: InlineFragmentNode | FragmentSpreadNode | FragmentDefinitionNode, inner: T): T;
  /** The selections of one set, side by side (an empty list for an empty or cyclic set). */
  merge(parts: T[]): T;
}

/**
 * Measures a selection set with fragments expanded in place. Each fragment is measured once and
 * memoized, so fragments that spread each other many times (`A { ...B ...B } B { ...C ...C }`)
 * cost time linear in the document, not exponential. A fragment already on the path counts as
 * empty: graphql-js's NoFragmentCyclesRule rejects the cycle itself.
 */
export function foldSelections<T>(set: SelectionSetNode, fragment: FragmentLookup, fold: SelectionFold<T>): T {
  const memo = new Map<string, T>();
  const onPath = new Set<string>();

  const measureSet = (node: SelectionSetNode): T =>
    fold.merge(
      node.selections.map((selection) => {
        switch (selection.kind) {
          case Kind.FIELD:
            return fold.field(selection, selection.selectionSet ? measureSet(selection.selectionSet) : undefined);
          case Kind.INLINE_FRAGMENT:
            return fold.wrap(selection, measureSet(selection.selectionSet));
          case Kind.FRAGMENT_SPREAD:
            return fold.wrap(selection, measureFragment(selection.name.value));
        }
      }),
    );

  const measureFragment = (name: string): T => {
    const known = memo.get(name);
    if (known !== undefined) return known;
    const definition = fragment(name);
    if (!definition || onPath.has(name)) return fold.merge([]);
    onPath.add(name);
    const measured = fold.wrap(definition, measureSet(definition.selectionSet));
    onPath.delete(name);
    memo.set(name, measured);
    return measured;
  };

  return measureSet(set);
}
