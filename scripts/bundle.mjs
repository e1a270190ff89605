// `npm run build`'s second step (issue 16 §5, start fast): bundles the server's and the CLI's
// entries, as tsc wrote them, into single modules in their own places (dist/src/main.js and
// dist/src/cli/main.js), with what they import on demand in dist/src/chunks/.
//
// Why: unbundled, the server loads 966 ES modules (324 of dist, 262 of kysely, 182 of
// @graphql-tools/utils) before it runs a line of main(); resolving, reading and compiling them
// took 1.2 of the 1.9 s from `node dist/src/main.js` to a healthy /healthz on PostgreSQL. Bundled,
// it takes 0.7 to 0.9 s. The rest of dist/ stays as tsc wrote it (tests and tools import it).
//
// Splitting keeps every dynamic import lazy: without it, esbuild inlines src/k8s/cluster.ts and
// hoists its import of @kubernetes/client-node to the top, and the client (0.5 s) would load at
// every start again (test/operations/lazy-start.test.ts).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.join(root, 'dist/src');

// Packages loaded from node_modules as they are, each for a reason the bundle would break:
const external = [
  // finds its .wasm and .data files next to its own module (import.meta.url)
  '@electric-sql/pglite',
  // loaded only when a cluster is configured (its chunk imports it); bundling gains nothing
  '@kubernetes/client-node',
  // runs transports in worker threads that load pino's files by path
  'pino',
  // reads its own package.json and rewrites error stacks by __dirname, which an ES module lacks
  'ioredis',
  // pg's optional native binding, required only by `pg.native`, which Gatehouse never uses
  'pg-native',
];

fs.rmSync(path.join(out, 'chunks'), { recursive: true, force: true });
// One build per entry: built together, esbuild splits the code the two share into many small
// chunks (78), and the server loaded 83 files of dist/ again; alone, each loads one file and the
// chunks of what it imports on demand. The names carry a hash of the content: no clash.
for (const [name, entry] of [
  ['main', 'dist/src/main.js'],
  ['cli/main', 'dist/src/cli/main.js'],
]) {
  await build({
    absWorkingDir: root,
    entryPoints: { [name]: entry },
    outdir: out,
    // The entry replaces tsc's output of the same file, which it was built from.
    allowOverwrite: true,
    bundle: true,
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    format: 'esm',
    platform: 'node',
    target: 'node20.19',
    external,
    // Bundled CommonJS packages call require() for Node's own modules: give each output file one.
    banner: { js: "import { createRequire as __bundleRequire } from 'node:module'; const require = __bundleRequire(import.meta.url);" },
    // Through tsc's maps to src/: `node --enable-source-maps` prints TypeScript lines.
    sourcemap: 'linked',
    // Class and function names stay as written: logs and errors name them.
    keepNames: true,
    logLevel: 'warning',
  });
}
