import type { ApolloServer } from '@apollo/server';
import { buildSchema, type GraphQLSchema } from 'graphql';
import type { GraphQLContext } from '../../graphql/context.js';
import type { RuleMap } from '../authorization-map.js';
import type { Authz } from '../authz.js';
import { permissionSetKey, permissionSetOf } from '../permission-set.js';
import { schemaForPermissionSet } from './filter-schema.js';

// Distinct permission sets are few (roles × principal kinds); the bound only guards memory
// against a pathological number of custom roles.
const MAX_SERVERS = 256;

/**
 * One Apollo Server per permission set, each over the schema that set can reach, built on the
 * first request of the set and cached by its key: a role change gives the next request another
 * key, hence another schema, on every replica, with nothing to invalidate. Each server keeps its
 * own parsed-and-validated document cache, which must not be shared: validity depends on the
 * schema.
 */
export class ApolloPerPermissionSet {
  private readonly servers = new Map<string, Promise<ApolloServer<GraphQLContext>>>();
  /** Answers requests that have no principal: its context always fails, so its schema is never used. */
  private readonly refusing: ApolloServer<GraphQLContext>;

  constructor(
    private readonly schema: GraphQLSchema,
    private readonly rules: RuleMap,
    private readonly create: (schema: GraphQLSchema) => ApolloServer<GraphQLContext>,
  ) {
    this.refusing = create(buildSchema('type Query { unauthenticated: Boolean }'));
  }

  async start(): Promise<void> {
    await this.refusing.start();
  }

  serverFor(authz: Authz): Promise<ApolloServer<GraphQLContext>> {
    const set = permissionSetOf(authz);
    const key = permissionSetKey(set);
    const cached = this.servers.get(key);
    if (cached) {
      // Most recently used last, so the first key is the one to evict.
      this.servers.delete(key);
      this.servers.set(key, cached);
      return cached;
    }
    const created = (async () => {
      const server = this.create(schemaForPermissionSet(this.schema, this.rules, set));
      await server.start();
      return server;
    })();
    // A failed build is not cached: the next request tries again.
    created.catch(() => this.servers.delete(key));
    this.servers.set(key, created);
    if (this.servers.size > MAX_SERVERS) {
      const oldest = this.servers.keys().next().value;
      if (oldest !== undefined) this.servers.delete(oldest);
    }
    return created;
  }

  /** For requests without a principal or whose context failed: Apollo formats the context's error. */
  unauthenticated(): ApolloServer<GraphQLContext> {
    return this.refusing;
  }

  async stop(): Promise<void> {
    const servers = await Promise.allSettled([...this.servers.values()]);
    this.servers.clear();
    await Promise.all([this.refusing.stop(), ...servers.flatMap((s) => (s.status === 'fulfilled' ? [s.value.stop()] : []))]);
  }
}
