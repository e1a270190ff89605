import { defineConfig } from 'vitest/config';
import base from './vitest.config.js';

/**
 * The PGlite pass of CI (`.ci/run`): `npx vitest run --config vitest.pglite.config.ts`.
 *
 * `npm test` runs every suite on PostgreSQL, as production does. This pass keeps the embedded
 * default (PGlite, one in-process connection) from drifting from it, by running on PGlite the
 * suites whose SQL the two engines could answer differently. The whole suite on PGlite took
 * 14 minutes on CI's two cores, mostly repeating what PostgreSQL had shown already; this list
 * takes under a minute. A suite belongs here when it is the one that exercises such a
 * path; add one when it does something new to the engine (a migration is covered by the first
 * three already).
 *
 * Not here, and why: test/embedded and test/cli/output.test.ts run the built server and CLI on
 * PGlite directories in `npm test` already; the other suites that start them on
 * createServerStore() or createCliStore() would add the same again, at seconds per process. Suites that need
 * two connections skip themselves on PGlite (describe.skipIf(!TEST_DATABASE_URL)).
 * test/db/explain.test.ts is about PostgreSQL's planner at scale.
 */
const PGLITE_SUITES = [
  // Migrations: all of them up and down, the schema they leave against the Database interface, a
  // migration that rewrites existing rows; a transaction run again after an abort leaves nothing
  // of its first try.
  'test/db/migrations-reversible.test.ts',
  'test/db/schema-drift.test.ts',
  'test/audit/chain-backfill.test.ts',
  'test/db/transaction-retry.test.ts',
  // Triggers and counters kept in SQL: the audit log's append-only trigger and hash chain, the
  // execution and span counts through inserts, cascades and pruning, batched retention deletes.
  'test/audit/hash-chain.test.ts',
  'test/executions/counts.test.ts',
  'test/executions/trace-retention.test.ts',
  // Aggregates: count(*) filter, sums cast back to int8, days by to_char(… at time zone 'UTC');
  // keyset pagination of spans in the order they were received.
  'test/usage/usage-dashboard.test.ts',
  'test/executions/span-feed.test.ts',
  // Queues in SQL: webhook deliveries claimed, locked FOR UPDATE and moved on by backoff
  // arithmetic; unused archives deleted in batches FOR UPDATE SKIP LOCKED, after uploads stored
  // under an advisory lock on their organization's quota (pg_advisory_xact_lock, hashtext).
  'test/webhooks/retries.test.ts',
  'test/archives/archive-retention.test.ts',
  // Values at the engine's edge: text PostgreSQL cannot store (NUL, lone surrogates, impossible
  // timestamps) in every String argument; bytea through PGlite's own serializer and parser
  // (src/db/connect.ts), uploaded and downloaded.
  'test/errors/unstorable-input.test.ts',
  'test/archives/code-download.test.ts',
  // The GraphQL API end to end on one connection: every audited mutation (each in its
  // transaction), every feature at every level, every id-taking operation across tenants, and
  // concurrent transactions that lock memberships, which PGlite runs one after another.
  'test/audit/every-mutation.test.ts',
  'test/authz/feature-matrix.test.ts',
  'test/tenancy/cross-tenant.test.ts',
  'test/members/concurrent-owners.test.ts',
  // PGlite's own assertion: no pool, so no pool metrics (it.runIf(!TEST_DATABASE_URL)).
  'test/observability/metrics-registry.test.ts',
  // The CLI as operators run it by default: the built bin on a PGlite directory, which its first
  // command migrates and later ones reopen (`npm test` runs the CLI suites on PostgreSQL).
  'test/cli/commands.test.ts',
];

// This pass is PGlite's whatever the shell exports: without TEST_DATABASE_URL, global setup
// migrates one PGlite image and each file opens a copy (test/support/test-database.ts). Deleted
// here, before global setup runs and the workers inherit the environment.
delete process.env.TEST_DATABASE_URL;

export default defineConfig({ ...base, test: { ...base.test, include: PGLITE_SUITES } });
