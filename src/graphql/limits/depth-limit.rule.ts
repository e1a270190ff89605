import type { ValidationContext, ValidationRule } from 'graphql';
import { foldSelections } from './fold-selections.js';
import { LimitCode, LimitError } from './limit-error.js';

/**
 * The depth of an operation: a root field is at depth 1, each nested field one deeper, fragments
 * expanded (they add no depth of their own). `ofType`, introspection's unwrapping of list and
 * non-null types, adds none either: the explorer's introspection query nests it eight deep, and
 * its depth is bounded by the schema's type wrappers, not by the client.
 */
export function depthLimitRule(maxDepth: number): ValidationRule {
  return (context: ValidationContext) => ({
    OperationDefinition(operation) {
      const depth = foldSelections<number>(operation.selectionSet, (name) => context.getFragment(name), {
        field: (node, inner) => (node.name.value === 'ofType' ? 0 : 1) + (inner ?? 0),
        wrap: (_node, inner) => inner,
        merge: (parts) => Math.max(0, ...parts),
      });
      if (depth > maxDepth) {
        context.reportError(
          new LimitError(
            LimitCode.QUERY_TOO_DEEP,
            { name: 'depth', max: maxDepth, actual: depth },
            `The operation nests fields ${depth} deep; the limit is ${maxDepth}. Split it into several operations.`,
          ),
        );
      }
    },
  });
}
