import type { OperationDefinitionNode, ValidationContext, ValidationRule } from 'graphql';
import { foldSelections, type FragmentLookup } from './fold-selections.js';
import { LimitCode, LimitError } from './limit-error.js';

/**
 * The depth of an operation: a root field is at depth 1, each nested field one deeper, fragments
 * expanded (they add no depth of their own). `ofType`, introspection's unwrapping of list and
 * non-null types, adds none either: the explorer's introspection query nests it eight deep, and
 * its depth is bounded by the schema's type wrappers, not by the client.
 */
export function operationDepth(operation: OperationDefinitionNode, fragment: FragmentLookup): number {
  return foldSelections<number>(operation.selectionSet, fragment, {
    field: (node, inner) => (node.name.value === 'ofType' ? 0 : 1) + (inner ?? 0),
    wrap: (_node, inner) => inner,
    merge: (parts) => Math.max(0, ...parts),
  });
}

/** Refuses an operation deeper than `maxDepth` (operationDepth) with QUERY_TOO_DEEP. */
export function depthLimitRule(maxDepth: number): ValidationRule {
  return (context: ValidationContext) => ({
    OperationDefinition(operation) {
      const depth = operationDepth(operation, (name) => context.getFragment(name));
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
