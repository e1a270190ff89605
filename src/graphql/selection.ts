import { Kind, type GraphQLResolveInfo, type SelectionSetNode } from 'graphql';

/**
 * Whether the field being resolved selects nothing but `fields` (and __typename), through
 * fragments too. A list asked only for its totalCount (the automations screen's cards) then need
 * not read a page it would throw away. A field under @include or @skip counts as selected: the
 * answer errs towards reading.
 */
export function selectsOnly(info: Pick<GraphQLResolveInfo, 'fieldNodes' | 'fragments'>, fields: ReadonlySet<string>): boolean {
  const selected = selectedAt(info, []);
  return selected !== 'all' && [...selected].every((name) => name === '__typename' || fields.has(name));
}

/**
 * The names of the fields selected at `path` below the field being resolved (`['edges', 'node']`:
 * what a connection's nodes are asked for), through fragments and aliases. A field under @include
 * or @skip counts as selected, and a fragment this operation does not define makes the answer
 * `'all'`: the answer errs towards reading, as selectsOnly's does.
 */
export function selectedAt(info: Pick<GraphQLResolveInfo, 'fieldNodes' | 'fragments'>, path: readonly string[]): ReadonlySet<string> | 'all' {
  const names = new Set<string>();
  let unknown = false;
  const visit = (set: SelectionSetNode | undefined, depth: number): void => {
    for (const selection of set?.selections ?? []) {
      if (selection.kind === Kind.INLINE_FRAGMENT) visit(selection.selectionSet, depth);
      else if (selection.kind === Kind.FRAGMENT_SPREAD) {
        const fragment = info.fragments[selection.name.value];
        if (fragment === undefined) unknown = true;
        else visit(fragment.selectionSet, depth);
      } else if (depth === path.length) names.add(selection.name.value);
      else if (selection.name.value === path[depth]) visit(selection.selectionSet, depth + 1);
    }
  };
  for (const node of info.fieldNodes) visit(node.selectionSet, 0);
  return unknown ? 'all' : names;
}
