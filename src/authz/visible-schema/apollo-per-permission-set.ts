import type { ApolloServer } from '@apollo/server';
import type { GraphQLSchema } from 'graphql';
import type { GraphQLContext } from '../../graphql/context.js';
import type { Authz } from '../authz.js';

// PLACEHOLDER (issue 6, role-filtered schema): one server for now; keyed by permission set next.

export class ApolloPerPermissionSet {
  private readonly server: ApolloServer<GraphQLContext>;

  constructor(schema: GraphQLSchema, create: (schema: GraphQLSchema) => ApolloServer<GraphQLContext>) {
    this.server = create(schema);
  }

  async start(): Promise<void> {
    await this.server.start();
  }

  async serverFor(_authz: Authz): Promise<ApolloServer<GraphQLContext>> {
    return this.server;
  }

  async anonymous(): Promise<ApolloServer<GraphQLContext>> {
    return this.server;
  }

  async stop(): Promise<void> {
    await this.server.stop();
  }
}
