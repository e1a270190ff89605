import { GraphQLError, Kind, type ValidationContext, type ValidationRule } from 'graphql';
import { fieldCostDirectives } from './cost-directives.js';

/**
 * `@listSize(requireOneSlicingArgument: true)` (the directive's default): a field that declares it
 * must be given exactly one of its slicing arguments, or have one by default; otherwise the
 * operation is invalid (IBM GraphQL Cost Directives, "requireOneSlicingArgument"), since its size,
 * and so its cost, would be unknown or ambiguous. A variable counts as given; a literal null does
 * not. Gatehouse's own lists set it to false and fall back to `assumedSize`, the page size their
 * resolvers use when `first` is omitted.
 */
export const slicingArgumentsRule: ValidationRule = (context: ValidationContext) => ({
  Field(node) {
    const definition = context.getFieldDef();
    const listSize = definition ? fieldCostDirectives(definition).listSize : undefined;
    if (!definition || !listSize?.requireOneSlicingArgument || listSize.slicingArguments.length === 0) return;
    const given = listSize.slicingArguments.filter((name) => {
      const argument = node.arguments?.find((a) => a.name.value === name);
      if (argument) return argument.value.kind !== Kind.NULL;
      return definition.args.find((a) => a.name === name)?.defaultValue != null;
    });
    if (given.length === 1) return;
    const field = `${context.getParentType()?.name ?? '?'}.${definition.name}`;
    const names = listSize.slicingArguments.map((name) => `"${name}"`).join(', ');
    const found = given.length === 0 ? 'none' : given.map((name) => `"${name}"`).join(' and ');
    context.reportError(
      new GraphQLError(`${field} needs exactly one of the arguments ${names} to size its list; the operation gives ${found}. Pass exactly one.`, {
        nodes: node,
      }),
    );
  },
});
