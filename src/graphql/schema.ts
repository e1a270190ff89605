import fs from 'node:fs';
import path from 'node:path';
import { makeExecutableSchema } from '@graphql-tools/schema';
import type { GraphQLSchema } from 'graphql';
import { mergeAuthorization, type ModuleAuthorization } from '../authz/authorization-map.js';
import { applyAuthorization, type ShieldMode } from '../authz/shield.js';
import { applyMiddleware } from 'graphql-middleware';
import { auditMiddleware } from '../modules/audit/audit.middleware.js';
import { modules } from '../modules/index.js';
import { SCHEMA_DIR } from '../paths.js';
import { freshLoadersMiddleware } from './fresh-loaders.middleware.js';
import { DateTimeScalar, JSONObjectScalar } from './scalars.js';

export function loadTypeDefs(): string[] {
  return fs
    .readdirSync(SCHEMA_DIR)
    .filter((file) => file.endsWith('.graphql'))
    .sort()
    .map((file) => fs.readFileSync(path.join(SCHEMA_DIR, file), 'utf8'));
}

/** The schema with resolvers and no authorization: the bench's baseline and the coverage test's input. */
export function buildExecutableSchema(): GraphQLSchema {
  return makeExecutableSchema({
    typeDefs: loadTypeDefs(),
    resolvers: [{ DateTime: DateTimeScalar, JSONObject: JSONObjectScalar }, ...modules.map((m) => m.resolvers)],
    resolverValidationOptions: { requireResolversToMatchSchema: 'error' },
  });
}

export function authorization(): ModuleAuthorization {
  return mergeAuthorization(modules.map((m) => m.authorization));
}

/**
 * The gateway's schema: audited mutations run in a transaction with their audit entry, every
 * mutation's payload is read with loaders created after that transaction committed
 * (src/graphql/fresh-loaders.middleware.ts), and every field is authorized (src/authz/shield.ts)
 * outside all that, so a denied call opens no transaction. The first middleware is the outermost.
 */
export function buildSchema(mode: ShieldMode = 'selective'): GraphQLSchema {
  return applyAuthorization(applyMiddleware(buildExecutableSchema(), freshLoadersMiddleware(), auditMiddleware()), authorization(), mode);
}
