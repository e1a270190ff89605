import type { ValidationContext, ValidationRule } from 'graphql';
import { foldSelections } from './fold-selections.js';
import { LimitCode, LimitError } from './limit-error.js';

/**
 * The directives of an operation: on the operation, its fields, inline fragments, spreads and
 * the fragments they expand (once per spread).
 */
export function directiveLimitRule(maxDirectives: number): ValidationRule {
  return (context: ValidationContext) => ({
    OperationDefinition(operation) {
      const inSelections = foldSelections<number>(operation.selectionSet, (name) => context.getFragment(name), {
        field: (node, inner) => (node.directives?.length ?? 0) + (inner ?? 0),
        wrap: (node, inner) => (node.directives?.length ?? 0) + inner,
        merge: (parts) => parts.reduce((sum, part) => sum + part, 0),
      });
      const directives = (operation.directives?.length ?? 0) + inSelections;
      if (directives > maxDirectives) {
        context.reportError(
          new LimitError(
            LimitCode.TOO_MANY_DIRECTIVES,
            { name: 'directives', max: maxDirectives, actual: directives },
            `The operation uses ${directives} directives; the limit is ${maxDirectives}.`,
          ),
        );
      }
    },
  });
}
