import { defineConfig } from 'vitest/config';

export default defineConfig({
  // graphql 16 ships CommonJS and ESM copies; graphql-shield and graphql-middleware require() the
  // CommonJS one, as Node itself resolves it. Vite would pick index.mjs and load a second graphql.
  resolve: { alias: [{ find: /^graphql$/, replacement: 'graphql/index.js' }] },
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Each file gets its own database; two workers match the CI machine's two cores.
    pool: 'forks',
    maxWorkers: 2,
    // A worker runs file after file on the modules it has loaded: importing the gateway's graph
    // afresh took 1.7 s per file, a quarter of `npm test` on two cores. Each file still starts its
    // own gateway on its own database. What modules keep (src/: caches and the process's metrics
    // registry, as in one server process; test/support: counters for unique names) must stay
    // something no file's assertions depend on.
    isolate: false,
  },
});
