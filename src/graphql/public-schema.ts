import { makeExecutableSchema } from '@graphql-tools/schema';
import { printSchemaWithDirectives } from '@graphql-tools/utils';
import { lexicographicSortSchema, type GraphQLSchema } from 'graphql';

/**
 * The public schema as SDL: every type and field any caller could reach (an instance
 * administrator who is an Owner sees all of it), with descriptions, `@deprecated` and the cost
 * directives, sorted so that a diff of two versions shows only what changed. Built from the SDL
 * alone: resolvers and rules do not change what a client may send.
 */
export function printPublicSchema(typeDefs: readonly string[]): string {
  return `${printSchemaWithDirectives(publicSchema(typeDefs))}\n`;
}

export function publicSchema(typeDefs: readonly string[]): GraphQLSchema {
  return lexicographicSortSchema(makeExecutableSchema({ typeDefs: [...typeDefs] }));
}
