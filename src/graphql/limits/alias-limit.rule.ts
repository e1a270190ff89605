import type { ValidationContext, ValidationRule } from 'graphql';
import { foldSelections } from './fold-selections.js';
import { LimitCode, LimitError } from './limit-error.js';

/**
 * The aliased fields of an operation, fragments expanded (a fragment spread three times counts
 * its aliases three times), `__typename` included: aliases are how one request asks for the same
 * field many times over.
 */
export function aliasLimitRule(maxAliases: number): ValidationRule {
  return (context: ValidationContext) => ({
    OperationDefinition(operation) {
      const aliases = foldSelections<number>(operation.selectionSet, (name) => context.getFragment(name), {
        field: (node, inner) => (node.alias ? 1 : 0) + (inner ?? 0),
        wrap: (_node, inner) => inner,
        merge: (parts) => parts.reduce((sum, part) => sum + part, 0),
      });
      if (aliases > maxAliases) {
        context.reportError(
          new LimitError(
            LimitCode.TOO_MANY_ALIASES,
            { name: 'aliases', max: maxAliases, actual: aliases },
            `The operation uses ${aliases} aliases; the limit is ${maxAliases}.`,
          ),
        );
      }
    },
  });
}
