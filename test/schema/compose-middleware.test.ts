import { graphql, type GraphQLResolveInfo, type GraphQLSchema } from 'graphql';
import { makeExecutableSchema } from '@graphql-tools/schema';
import { applyMiddleware, type IMiddlewareTypeMap } from 'graphql-middleware';
import { describe, expect, it } from 'vitest';
import { composeMiddleware } from '../../src/graphql/compose-middleware.js';
import { buildSchema } from '../../src/graphql/schema.js';

// src/graphql/compose-middleware.ts: the gateway composes its middlewares and applies them in one
// pass; every field must get the chain that graphql-middleware gives it when they are applied
// one after another, `applyMiddleware(schema, first, second, …)`.

const typeDefs = `
  type Query { a: String  b: String  c: Thing }
  type Mutation { m: String }
  type Thing { x: String }
`;
const schemaWithResolvers = () =>
  makeExecutableSchema({
    typeDefs,
    resolvers: { Query: { a: () => 'A', b: () => 'B', c: () => ({ x: 'X' }) }, Mutation: { m: () => 'M' } },
  });

/** A middleware that writes its name around a text value, so that the nesting is in the answer. */
const mark =
  (name: string) =>
  async (resolve: () => unknown): Promise<unknown> => {
    const value = await resolve();
    return typeof value === 'string' ? `${name}(${value})` : value;
  };

const middlewares: Record<string, IMiddlewareTypeMap> = {
  typeWide: { Query: mark('t') },
  perField: { Query: { a: mark('f') }, Thing: { x: mark('f') } },
  withArgs: {
    Mutation: {
      // Passes the arguments on, as graphql-shield does, rather than calling next() bare.
      m: async (
        resolve: (p: unknown, a: unknown, c: unknown, i: GraphQLResolveInfo) => unknown,
        parent: unknown,
        args: unknown,
        context: unknown,
        info: GraphQLResolveInfo,
      ) => `g(${String(await resolve(parent, args, context, info))})`,
    },
    Thing: mark('g'),
  },
};

async function answer(schema: GraphQLSchema): Promise<unknown> {
  const query = await graphql({ schema, source: '{ a b c { x } }' });
  const mutation = await graphql({ schema, source: 'mutation { m }' });
  return { query: query.data, mutation: mutation.data };
}

describe('composeMiddleware', () => {
  const orders: [string, string[]][] = [
    ['one middleware', ['typeWide']],
    ['type-wide outside per-field', ['typeWide', 'perField']],
    ['per-field outside type-wide', ['perField', 'typeWide']],
    ['three, overlapping on Thing.x and Query.a', ['perField', 'withArgs', 'typeWide']],
  ];

  it.each(orders)('%s: each field answers as with applyMiddleware one after another', async (_, names) => {
    const chain = names.map((name) => middlewares[name] ?? {});
    const stepByStep = await answer(applyMiddleware(schemaWithResolvers(), ...chain));
    const base = schemaWithResolvers();
    const composed = await answer(applyMiddleware(base, composeMiddleware(base, ...chain)));
    expect(composed).toEqual(stepByStep);
  });

  it('nests the first middleware outermost', async () => {
    const base = schemaWithResolvers();
    const schema = applyMiddleware(base, composeMiddleware(base, middlewares.perField ?? {}, middlewares.typeWide ?? {}));
    expect(await answer(schema)).toEqual({
      query: { a: 'f(t(A))', b: 't(B)', c: { x: 'f(X)' } },
      mutation: { m: 'M' },
    });
  });

  it("takes graphql-shield's logic rules, which come as { fragments: [], resolve }", async () => {
    const base = schemaWithResolvers();
    const logicRule = { Query: { a: { fragments: [], resolve: mark('l') } } };
    const schema = applyMiddleware(base, composeMiddleware(base, logicRule, middlewares.typeWide ?? {}));
    expect(await answer(schema)).toMatchObject({ query: { a: 'l(t(A))', b: 't(B)' } });
  });

  it('builds the gateway schema in both shield layouts (every-field wraps inherited fields in allow)', () => {
    for (const mode of ['selective', 'every-field'] as const) expect(buildSchema(mode).getQueryType()?.name).toBe('Query');
  });

  it('refuses a middleware with fragments, which it cannot compose', () => {
    const base = schemaWithResolvers();
    const withFragment = { Query: { a: { fragment: 'fragment F on Query { b }', resolve: mark('x') } } };
    expect(() => composeMiddleware(base, withFragment)).toThrow('Query.a has a middleware with options (fragments)');
  });
});
