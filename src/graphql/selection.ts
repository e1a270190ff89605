import { Kind, type GraphQLResolveInfo, type SelectionSetNode } from 'graphql';

/**
 * Whether the field being resolved selects nothing but `fields` (and __typename), through
 * fragments too. A list asked only for its totalCount (the automations screen's cards) then need
 * not read a page it would throw away. A field under @include or @skip counts as selected: the
 * answer errs towards reading.
 */
export function selectsOnly(info: Pick<GraphQLResolveInfo, 'fieldNodes' | 'fragments'>, fields: ReadonlySet<string>): boolean {
  const only = (set: SelectionSetNode | undefined): boolean =>
    set === undefined ||
    set.selections.every((selection) => {
      if (selection.kind === Kind.FIELD) return selection.name.value === '__typename' || fields.has(selection.name.value);
      if (selection.kind === Kind.INLINE_FRAGMENT) return only(selection.selectionSet);
      const fragment = info.fragments[selection.name.value];
      return fragment !== undefined && only(fragment.selectionSet);
    });
  return info.fieldNodes.every((node) => only(node.selectionSet));
}
