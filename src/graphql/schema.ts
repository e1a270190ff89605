import fs from 'node:fs';
import path from 'node:path';
import { makeExecutableSchema } from '@graphql-tools/schema';
import { buildASTSchema, concatAST, parse, type GraphQLSchema } from 'graphql';
import { mergeAuthorization, type ModuleAuthorization } from '../authz/authorization-map.js';
import { authorizationMiddleware, type ShieldMode } from '../authz/shield.js';
import { applyMiddleware } from 'graphql-middleware';
import { auditMiddleware } from '../modules/audit/audit.middleware.js';
import { modules } from '../modules/index.js';
import { SCHEMA_DIR } from '../paths.js';
import { composeMiddleware } from './compose-middleware.js';
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
    // One document, as graphql-js builds it: the modules' `extend type` become fields of the type
    // after its own, in file order. Given the files as a list, graphql-tools merges them first
    // (mergeTypeDefs, 50 ms of every start; issue 16 §5) into the same schema, its types and
    // fields in another order.
    typeDefs: buildASTSchema(concatAST(loadTypeDefs().map((sdl) => parse(sdl)))),
    resolvers: [{ DateTime: DateTimeScalar, JSONObject: JSONObjectScalar }, ...modules.map((m) => m.resolvers)],
    resolverValidationOptions: { requireResolversToMatchSchema: 'error' },
    // The schema is this call's own: its fields take their resolvers in place rather than in a
    // copy of the whole schema (about 45 ms at start; issue 16 §5).
    updateResolversInPlace: true,
  });
}

export function authorization(): ModuleAuthorization {
  return mergeAuthorization(modules.map((m) => m.authorization));
}

/**
 * The gateway's schema: audited mutations run in a transaction with their audit entry, every
 * mutation's payload is read with loaders created after that transaction committed
 * (src/graphql/fresh-loaders.middleware.ts), and every field is authorized (src/authz/shield.ts)
 * outside all that, so a denied call opens no transaction. The first middleware is the outermost;
 * composed, they cost one copy of the schema, not three.
 */
export function buildSchema(mode: ShieldMode = 'selective'): GraphQLSchema {
  const executable = buildExecutableSchema();
  const shielded = authorizationMiddleware(executable, authorization(), mode);
  return applyMiddleware(executable, composeMiddleware(executable, shielded, freshLoadersMiddleware(), auditMiddleware()));
}
