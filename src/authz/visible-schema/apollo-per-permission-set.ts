import type { ApolloServer } from '@apollo/server';
import { InMemoryLRUCache } from '@apollo/utils.keyvaluecache';
import { buildSchema, type DocumentNode, type GraphQLSchema } from 'graphql';
import type { GraphQLContext } from '../../graphql/context.js';
import type { RuleMap } from '../authorization-map.js';
import type { Authz } from '../authz.js';
import { permissionSetKey, permissionSetOf } from '../permission-set.js';
import { schemaForPermissionSet } from './filter-schema.js';
import type { SchemaBuildBudget } from './schema-build-budget.js';

// Distinct permission sets are few (roles × principal kinds, and roles are bounded per
// organization: MAX_CUSTOM_ROLES_PER_ORGANIZATION); the bound guards memory. A server without its
// documents weighs about 0.1 MiB.
const MAX_SERVERS = 128;
// Parsed and validated documents of every server, in one bounded cache: Apollo prefixes each key
// with the hash of the server's schema, so a document validated for one set is never taken as
// valid for another. Apollo's default, a cache of 30 MiB per server, would bound nothing.
const DOCUMENT_CACHE_BYTES = 16 * 1024 * 1024;

/** Creates the Apollo Server of one schema, with the shared document cache. */
export type CreateApollo = (schema: GraphQLSchema, documentStore: InMemoryLRUCache<DocumentNode> | null) => ApolloServer<GraphQLContext>;

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
  private readonly documents = new InMemoryLRUCache<DocumentNode>({ maxSize: DOCUMENT_CACHE_BYTES });

  constructor(
    private readonly schema: GraphQLSchema,
    private readonly rules: RuleMap,
    private readonly create: CreateApollo,
    private readonly budget: SchemaBuildBudget,
  ) {
    // It parses nothing: no document cache.
    this.refusing = create(buildSchema('type Query { unauthenticated: Boolean }'), null);
  }

  async start(): Promise<void> {
    await this.refusing.start();
  }

  /**
   * The server of the caller's permission set. A miss builds one, within the budget of the
   * caller's organizations (a LimitError, 429, when it is spent).
   */
  async serverFor(authz: Authz): Promise<ApolloServer<GraphQLContext>> {
    const set = permissionSetOf(authz);
    const key = permissionSetKey(set);
    const cached = this.servers.get(key);
    if (cached) {
      // Most recently used last, so the first key is the one to evict.
      this.servers.delete(key);
      this.servers.set(key, cached);
      return cached;
    }
    await this.budget.take(authz.organizationIds());
    // Built meanwhile by a request of the same set: use it (the budget was spent all the same).
    const raced = this.servers.get(key);
    if (raced) return raced;
    const created = (async () => {
      const server = this.create(schemaForPermissionSet(this.schema, this.rules, set), this.documents);
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
