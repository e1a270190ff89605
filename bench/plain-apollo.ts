import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer, HeaderMap } from '@apollo/server';
import type { GraphQLContext } from '../src/graphql/context.js';
import { createLoaders } from '../src/graphql/loaders.js';
import { buildExecutableSchema } from '../src/graphql/schema.js';
import { writeApolloResponse } from '../src/http/write-apollo-response.js';

/**
 * The baseline of `npm run bench:load`: Apollo Server with the gateway's resolvers and nothing
 * else (no authentication, permission preload, graphql-shield, visible schema, limits, rate
 * limit, metrics), on a bare node:http handler like the gateway's. Resolvers still need a
 * context: every request gets `base` (the caller's authorization, decided once, outside the
 * measurement) with fresh DataLoaders, as a request of the gateway would.
 */
export async function startPlainApollo(base: GraphQLContext): Promise<{ url: string; close(): Promise<void> }> {
  const apollo = new ApolloServer<GraphQLContext>({ schema: buildExecutableSchema() });
  await apollo.start();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      void (async () => {
        const headers = new HeaderMap();
        for (const [key, value] of Object.entries(req.headers)) {
          if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
        }
        const raw = Buffer.concat(chunks).toString('utf8');
        const response = await apollo.executeHTTPGraphQLRequest({
          httpGraphQLRequest: { method: req.method ?? 'POST', headers, search: '', body: raw ? (JSON.parse(raw) as unknown) : undefined },
          context: async () => ({ ...base, requestId: crypto.randomUUID(), loaders: createLoaders(base.db) }),
        });
        await writeApolloResponse(res, response);
      })().catch((error: unknown) => {
        res.statusCode = 500;
        res.end(String(error));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address: AddressInfo | string | null = server.address();
  if (address === null || typeof address === 'string') throw new Error('the plain Apollo server has no TCP address');
  return {
    url: `http://127.0.0.1:${address.port}/graphql`,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await apollo.stop();
    },
  };
}
