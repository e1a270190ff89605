// `node --import ./test/support/module-trace.mjs …` (NODE_OPTIONS): appends every module the
// process imports, as its resolved URL, one a line, to the file named by MODULE_TRACE_FILE. For
// tests that check what a process did not load (test/operations/lazy-start.test.ts). Sees ES module
// imports, static and dynamic, which is how the built server loads its packages.
import { register } from 'node:module';

if (process.env.MODULE_TRACE_FILE) {
  register('./module-trace-hooks.mjs', import.meta.url, { data: { file: process.env.MODULE_TRACE_FILE } });
}
