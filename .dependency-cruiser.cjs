// The import rules of the gateway, checked by `npm run lint:deps` (and .ci/run).
//
// Layers, bottom to top; a file imports only from its own layer and the ones below:
//   1. base      src/errors.ts, config.ts, logger.ts, paths.ts, periodic.ts, src/crypto/, src/k8s/
//   2. core      src/db/, src/authz/, src/graphql/, src/observability/: what every module builds
//                on (the Database type, principal and guards, context, pagination, generated SDL
//                types, the GraphQL models, metrics)
//   3. modules   src/modules/<domain>/: resolvers, rules, repositories, tables of each domain
//   4. edges     src/auth/, src/http/, src/ingest/, src/cli/, src/runtime.ts, src/main.ts: they
//                turn requests, spans and commands into calls of the modules, and nothing imports them
//                but each other
// The few upward imports the design needs are allowed below by name, each with its reason.

// The layers, as paths.
const BASE = '^src/(crypto|k8s)/|^src/(errors|config|logger|paths|periodic)[.]ts$';
const CORE = '^src/(db|authz|graphql|observability)/';
const EDGES = '^src/(auth|http|ingest|cli)/|^src/(main|runtime)[.]ts$';
const TABLE = '^src/modules/[^/]+/[^/]+[.]table[.]ts$';

// The type unions of the module tables: `Database` (STYLE: the union of the *.table.ts interfaces)
// and the GraphQL models that codegen's mappers name. A table holds only types (rule
// tables-hold-types), so naming one reaches nothing above.
const UNIONS_OF_TABLES = '^src/(db/database|graphql/models)[.]ts$';
// Assembly of the gateway from its modules: the schema from every module's resolvers and rules
// (and the audit middleware around mutations), and the per-request DataLoaders of every module.
// They stay beside the context they fill; in src/modules, the context's type import of the
// loaders would be the upward import instead.
const ASSEMBLY = '^src/graphql/(schema|loaders)[.]ts$';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'An import circle: one of its imports points the wrong way. Move the type to the lower file it belongs to.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'no-unresolvable',
      severity: 'error',
      comment: 'An import that resolves to no file would escape every other rule.',
      from: {},
      to: { couldNotResolve: true },
    },
    {
      name: 'core-not-to-modules',
      severity: 'error',
      comment: 'db, authz, graphql and observability are below the modules: move the type or function to its owner below.',
      from: { path: CORE, pathNot: [UNIONS_OF_TABLES, ASSEMBLY] },
      to: { path: '^src/modules/' },
    },
    {
      name: 'unions-name-tables-only',
      severity: 'error',
      comment: 'src/db/database.ts and src/graphql/models.ts may name the types of a *.table.ts file, and nothing else of a module.',
      from: { path: UNIONS_OF_TABLES },
      to: { path: '^src/modules/', pathNot: TABLE },
    },
    {
      name: 'unions-import-types-only',
      severity: 'error',
      comment: 'src/db/database.ts and src/graphql/models.ts import tables with `import type`.',
      from: { path: UNIONS_OF_TABLES },
      to: { path: '^src/modules/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'tables-hold-types',
      severity: 'error',
      comment: 'A *.table.ts file holds types only: it imports with `import type`.',
      from: { path: TABLE },
      to: { path: '^src/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'tables-below-core',
      severity: 'error',
      comment: 'A *.table.ts file names no type of db, graphql (but its generated SDL types), observability or the edges.',
      from: { path: TABLE },
      to: { path: ['^src/(db|graphql|observability)/', EDGES], pathNot: '^src/graphql/generated/graphql-types[.]ts$' },
    },
    {
      name: 'repositories-not-to-graphql',
      severity: 'error',
      comment: 'STYLE: repositories import nothing from GraphQL but the keyset pagination and the SDL types.',
      from: { path: '[.]repository[.]ts$' },
      to: { path: '^src/graphql/', pathNot: '^src/graphql/(pagination|generated/graphql-types)[.]ts$' },
    },
    {
      name: 'base-not-up',
      severity: 'error',
      comment: 'errors, config, logger, paths, periodic, crypto and k8s are the base: they import nothing above.',
      from: { path: BASE },
      to: { path: [CORE, '^src/modules/', EDGES] },
    },
    {
      name: 'nothing-imports-the-edges',
      severity: 'error',
      comment: 'auth, http, ingest, cli, runtime and main are the top: only they import each other.',
      from: { path: '^src/', pathNot: EDGES },
      to: { path: EDGES },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // `import type` counts: a circle of types is still a circle for the reader.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js', '.mjs', '.cjs', '.json'] },
    cache: false,
  },
};
