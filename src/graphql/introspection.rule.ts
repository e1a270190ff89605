import { GraphQLError, type ValidationContext, type ValidationRule } from 'graphql';

/**
 * INTROSPECTION=off: refuses `__schema` and `__type` (GRAPHQL_VALIDATION_FAILED, as any
 * validation rule) with advice of Gatehouse's own. Apollo's built-in switch
 * (`introspection: false`, its default in production) tells the caller to reconfigure Apollo
 * Server, which no client can act on. `__typename` stays allowed: clients add it everywhere.
 */
export function noIntrospectionRule(context: ValidationContext): ReturnType<ValidationRule> {
  return {
    Field(node) {
      const name = node.name.value;
      if (name !== '__schema' && name !== '__type') return;
      context.reportError(
        new GraphQLError(
          `Introspection is off on this gateway (INTROSPECTION=off), so ${name} is refused. Ask its operators for the schema file, or for INTROSPECTION=authenticated.`,
          { nodes: [node] },
        ),
      );
    },
  };
}
