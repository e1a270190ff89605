/**
 * `npm run bench:load` (issues 6 and 16): a load run on loopback, bounded in time. The automations
 * list screen's query, sent by a Member, through
 *   gateway  the full Gateway: HTTP, authentication, permission preload, visible schema,
 *            graphql-shield, limits, rate limiter (limits set never to refuse), metrics
 *   plain    Apollo Server with the same resolvers and no authorization (bench/plain-apollo.ts)
 * on the same data: PostgreSQL with BENCH_DATABASE_URL (a throw-away database beside it), else a
 * PGlite directory that each server process opens a copy of (bench/load-database.ts).
 *
 * Each target runs in a process of its own (bench/bench-server.ts), so that its memory is its own
 * and the load generator (autocannon, in this process) takes none of its CPU. After a warm-up,
 * BENCH_PAIRS pairs (default 5) of runs of BENCH_DURATION s (default 10) alternate, the first of
 * each pair swapping, so that drift of a shared machine touches both alike. Prints each run, then
 * min, median and max over the pairs of each ratio gateway / plain (req/s, p50, p99), and each
 * server process's resident memory: after the warm-up, at the end, and its peak.
 */
import './production-env.js';
import { seedAutomationsScreen } from './load-data.js';
import { createSharedDatabase } from './load-database.js';
import { loadRun, post, spread, type LoadRun } from './load-run.js';
import { startServerProcess, type ServerProcess, type ServerStats } from './server-process.js';

const AUTOMATIONS = 50;
const DURATION_S = Number(process.env.BENCH_DURATION ?? 10);
const WARMUP_S = 2;
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const PAIRS = Number(process.env.BENCH_PAIRS ?? 5);
if (!Number.isInteger(PAIRS) || PAIRS < 1) throw new Error(`BENCH_PAIRS must be a whole number of at least 1; got ${process.env.BENCH_PAIRS}`);

const QUERY = `query AutomationsScreen($org: ID!) {
  organization(id: $org) {
    id name
    automations(first: 20) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { cursor node {
        id name description visibility createdAt updatedAt
        createdBy { id name }
        viewerPermissions { permission allowed }
        latestDeployment { id version status message retryable namespace gitRepoFullName gitRef createdAt }
      } }
    }
  }
}`;

const TARGETS = ['gateway', 'plain'] as const;
type Target = (typeof TARGETS)[number];

const database = await createSharedDatabase();
const { organizationId, memberToken } = await seedAutomationsScreen(database.handle.db, AUTOMATIONS);
await database.release();
const authorization = `Bearer ${memberToken}`;
const servers: Partial<Record<Target, ServerProcess>> = {};

/** The value at `path` in parsed JSON, or undefined. */
function at(value: unknown, ...path: string[]): unknown {
  let current = value;
  for (const key of path) current = typeof current === 'object' && current !== null ? Reflect.get(current, key) : undefined;
  return current;
}

try {
  for (const kind of TARGETS) servers[kind] = await startServerProcess({ kind, database: database.spec, copy: true, env: {}, authorization });
  const server = (target: Target): ServerProcess => {
    const found = servers[target];
    if (!found) throw new Error(`no ${target} server`);
    return found;
  };
  const body = JSON.stringify({ query: QUERY, variables: { org: String(organizationId) } });
  const headers = { 'content-type': 'application/json', authorization };

  /** One request to each target: 200, no GraphQL error, the same data; returns each exact body and the statements it ran. */
  const verify = async () => {
    const bodies: Record<Target, string> = { gateway: '', plain: '' };
    const sql: Record<Target, number> = { gateway: 0, plain: 0 };
    let data: string | undefined;
    for (const target of TARGETS) {
      const before = (await server(target).stats()).statements;
      const { status, text } = await post(server(target).url, headers, body);
      sql[target] = (await server(target).stats()).statements - before;
      const parsed: unknown = JSON.parse(text);
      if (status !== 200 || at(parsed, 'errors') !== undefined) throw new Error(`${target} answered ${status}: ${text}`);
      const same = JSON.stringify(at(parsed, 'data'));
      if (data !== undefined && same !== data) throw new Error(`gateway and plain answered different data:\n${data}\n${same}`);
      data = same;
      bodies[target] = text;
    }
    return { bodies, sql, visible: at(JSON.parse(data ?? 'null'), 'organization', 'automations', 'totalCount') };
  };
  const run = (target: Target, seconds: number, expectBody: string) =>
    loadRun({ url: server(target).url, body, headers, connections: CONNECTIONS, seconds, expectBody });

  // Twice: the first request of a permission set builds its schema and Apollo Server, and fills caches.
  await verify();
  const { bodies: expected, sql, visible } = await verify();
  console.log(`verified: both targets answer 200 with the same data and no errors (${String(visible)} automations visible to the member, 20 per page)`);
  for (const target of TARGETS) await run(target, WARMUP_S, expected[target]);
  const warm: Record<Target, ServerStats> = { gateway: await server('gateway').stats(), plain: await server('plain').stats() };

  const runs: Array<LoadRun & { pair: number; target: Target }> = [];
  for (let pair = 1; pair <= PAIRS; pair++) {
    const order: Target[] = pair % 2 === 1 ? ['gateway', 'plain'] : ['plain', 'gateway'];
    for (const target of order) runs.push({ pair, target, ...(await run(target, DURATION_S, expected[target])) });
  }
  const end: Record<Target, ServerStats> = { gateway: await server('gateway').stats(), plain: await server('plain').stats() };

  const fixed = (n: number, digits = 1) => n.toFixed(digits);
  console.log(
    `\nGatehouse load: the automations screen (${AUTOMATIONS} automations, first 20, as a Member), ${CONNECTIONS} connections, ${PAIRS} pairs of ${DURATION_S} s runs after a ${WARMUP_S} s warm-up, ${database.label}, each server in its own process, loopback\n`,
  );
  console.log('pair target    req/s    mean ms   p50 ms   p99 ms   requests   errors   non-2xx   mismatches');
  for (const r of runs) {
    console.log(
      `${String(r.pair).padEnd(4)} ${r.target.padEnd(8)} ${fixed(r.rps).padStart(8)} ${fixed(r.mean, 2).padStart(9)} ${fixed(r.p50, 2).padStart(8)} ${fixed(r.p99, 2).padStart(8)} ${String(r.requests).padStart(10)} ${String(r.errors).padStart(8)} ${String(r.non2xx).padStart(9)} ${String(r.mismatches).padStart(12)}`,
    );
  }
  const ratios = (key: 'rps' | 'p50' | 'p99') =>
    Array.from({ length: PAIRS }, (_, i) => {
      const of = (target: Target) => runs.find((r) => r.pair === i + 1 && r.target === target)?.[key] ?? Number.NaN;
      return of('gateway') / of('plain');
    });
  console.log(`\ngateway / plain per pair, over ${PAIRS} pairs (req/s below 1 and latency above 1 are the gateway's cost)`);
  console.log('           min   median      max   goal (issue 16, on PostgreSQL)');
  const goals = { rps: { text: '>= 0.90', met: (m: number) => m >= 0.9 }, p50: null, p99: { text: '<= 1.15', met: (m: number) => m <= 1.15 } };
  for (const key of ['rps', 'p50', 'p99'] as const) {
    const { min, median, max } = spread(ratios(key));
    const goal = goals[key];
    const verdict = goal ? `${goal.text}: ${goal.met(median) ? 'met' : 'NOT met'}` : '';
    console.log(`  ${`${key} ratio`.padEnd(9)} ${fixed(min, 3).padStart(5)} ${fixed(median, 3).padStart(8)} ${fixed(max, 3).padStart(8)}   ${verdict}`);
  }
  const failed = runs.reduce((sum, r) => sum + r.errors + r.non2xx + r.mismatches, 0);
  const refusals = runs.flatMap((r) => Object.entries(r.refusals).map(([what, n]) => `${r.target} ${what} × ${n}`));
  console.log(`  errors, non-2xx and mismatches in all runs: ${failed}${refusals.length > 0 ? ` (${refusals.join(', ')})` : ''}`);
  console.log(`  SQL statements per request: gateway ${sql.gateway}, plain ${sql.plain}`);
  console.log(
    '\nmemory of each server process, MiB (rss; heap in use after a forced GC; peak rss sampled every 50 ms during the measured runs, and over its life, start included)',
  );
  for (const target of TARGETS) {
    console.log(
      `  ${target.padEnd(8)} after warm-up rss ${fixed(warm[target].rssMb)} heap ${fixed(warm[target].heapMb)}; at the end rss ${fixed(end[target].rssMb)} heap ${fixed(end[target].heapMb)}; peak rss ${fixed(end[target].peakRssMb)} (life ${fixed(end[target].maxRssMb)})`,
    );
  }
  if (failed > 0) process.exitCode = 1;
} finally {
  for (const target of TARGETS) await servers[target]?.close();
  await database.drop();
}
