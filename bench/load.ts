/**
 * `npm run bench:load` (issue 6): a load run on loopback, bounded in time. The automations list
 * screen's query, sent by a Member, through
 *   gateway  the full Gateway: HTTP, authentication, permission preload, visible schema,
 *            graphql-shield, limits, rate limiter (limits set never to refuse), metrics
 *   plain    Apollo Server with the same resolvers and no authorization (bench/plain-apollo.ts)
 * on the same data (embedded PGlite in memory, or PostgreSQL with BENCH_DATABASE_URL, see
 * bench/load-database.ts). Each target is warmed up, then measured in turn,
 * gateway and plain alternating, so that drift of the machine touches both alike. Reports
 * requests per second, p50 and p99 latency, errors and non-2xx per run, the ratios
 * gateway / plain, and the resident memory of the process before and after the measured runs.
 *
 * Both servers run in this process (one at a time under load) and autocannon runs in a worker
 * thread of it, so the memory figures are the whole process's.
 */
import './production-env.js';
import v8 from 'node:v8';
import vm from 'node:vm';
import autocannon from 'autocannon';
import { startBenchGateway } from './bench-gateway.js';
import { seedAutomationsScreen } from './load-data.js';
import { openBenchDatabase } from './load-database.js';
import { startPlainApollo } from './plain-apollo.js';

const AUTOMATIONS = 50;
const DURATION_S = Number(process.env.BENCH_DURATION ?? 10);
const WARMUP_S = 2;
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);

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

// A forced collection before each memory reading, so that heap figures are what is retained.
v8.setFlagsFromString('--expose-gc');
const collect: unknown = vm.runInNewContext('gc');
function memory(): { rssMb: number; heapMb: number } {
  if (typeof collect === 'function') collect();
  const usage = process.memoryUsage();
  return { rssMb: usage.rss / 2 ** 20, heapMb: usage.heapUsed / 2 ** 20 };
}

let statements = 0;
const database = await openBenchDatabase(() => void statements++);
const { organizationId, memberToken } = await seedAutomationsScreen(database.db, AUTOMATIONS);
const authorization = `Bearer ${memberToken}`;

// Rate limits counted, never refused: the limiter's cost is part of the gateway's.
const gateway = await startBenchGateway(database.db);
const plain = await startPlainApollo(await gateway.gateway.context(authorization, 'bench-plain'));

const TARGETS = ['gateway', 'plain'] as const;
type Target = (typeof TARGETS)[number];
const targets: Record<Target, string> = { gateway: gateway.url, plain: plain.url };
const body = JSON.stringify({ query: QUERY, variables: { org: String(organizationId) } });
const headers = { 'content-type': 'application/json', authorization };

/** The value at `path` in parsed JSON, or undefined. */
function at(value: unknown, ...path: string[]): unknown {
  let current = value;
  for (const key of path) current = typeof current === 'object' && current !== null ? Reflect.get(current, key) : undefined;
  return current;
}

/**
 * One request to each target: 200, no GraphQL error, the same data; returns each exact body and
 * counts the SQL statements each request ran.
 */
async function verify(): Promise<{ bodies: Record<Target, string>; sql: Record<Target, number>; visible: unknown }> {
  const bodies: Record<Target, string> = { gateway: '', plain: '' };
  const sql: Record<Target, number> = { gateway: 0, plain: 0 };
  let data: string | undefined;
  for (const name of TARGETS) {
    statements = 0;
    const response = await fetch(targets[name], { method: 'POST', headers, body });
    const text = await response.text();
    sql[name] = statements;
    const parsed: unknown = JSON.parse(text);
    if (response.status !== 200 || at(parsed, 'errors') !== undefined) throw new Error(`${name} answered ${response.status}: ${text}`);
    const same = JSON.stringify(at(parsed, 'data'));
    if (data !== undefined && same !== data) throw new Error(`gateway and plain answered different data:\n${data}\n${same}`);
    data = same;
    bodies[name] = text;
  }
  return { bodies, sql, visible: at(JSON.parse(data ?? 'null'), 'organization', 'automations', 'totalCount') };
}

interface Run {
  target: Target;
  rps: number;
  p50: number;
  p99: number;
  requests: number;
  errors: number;
  non2xx: number;
  mismatches: number;
}

async function load(target: Target, seconds: number, expectBody: string): Promise<Run> {
  const result = await autocannon({
    url: targets[target],
    method: 'POST',
    headers,
    body,
    connections: CONNECTIONS,
    duration: seconds,
    // The load generator in a worker thread, off the servers' event loop.
    workers: 1,
    // Every answer is compared with the verified one: a different body counts as a mismatch.
    expectBody,
  });
  return {
    target,
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    requests: result.requests.total,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
    mismatches: result.mismatches,
  };
}

// Twice: the first request of a permission set builds its schema and Apollo Server, and fills caches.
await verify();
const { bodies: expected, sql, visible } = await verify();
console.log(`verified: both targets answer 200 with the same data and no errors (${String(visible)} automations visible to the member, 20 per page)`);
for (const target of TARGETS) await load(target, WARMUP_S, expected[target]);
const before = memory();

const runs: Run[] = [];
for (let round = 1; round <= ROUNDS; round++) {
  for (const target of TARGETS) runs.push(await load(target, DURATION_S, expected[target]));
}
const after = memory();

const fixed = (n: number, digits = 1) => n.toFixed(digits);
console.log(`\nGatehouse load: the automations screen (${AUTOMATIONS} automations, first 20, as a Member), ${CONNECTIONS} connections, ${DURATION_S} s per run after a ${WARMUP_S} s warm-up, ${database.label}, loopback\n`);
console.log('run  target    req/s     p50 ms   p99 ms   requests   errors   non-2xx   mismatches');
runs.forEach((r, i) => {
  console.log(
    `${String(i + 1).padEnd(4)} ${r.target.padEnd(8)} ${fixed(r.rps).padStart(8)} ${fixed(r.p50, 2).padStart(9)} ${fixed(r.p99, 2).padStart(8)} ${String(r.requests).padStart(10)} ${String(r.errors).padStart(8)} ${String(r.non2xx).padStart(9)} ${String(r.mismatches).padStart(12)}`,
  );
});
const mean = (target: Target, key: 'rps' | 'p50' | 'p99') => {
  const values = runs.filter((r) => r.target === target).map((r) => r[key]);
  return values.reduce((sum, v) => sum + v, 0) / values.length;
};
console.log('\ngateway / plain (means of the runs above; req/s below 1 and latency above 1 are the gateway\'s cost)');
for (const key of ['rps', 'p50', 'p99'] as const) console.log(`  ${key.padEnd(4)} ${fixed(mean('gateway', key) / mean('plain', key), 3)}`);
const failed = runs.reduce((sum, r) => sum + r.errors + r.non2xx + r.mismatches, 0);
console.log(`  errors, non-2xx and mismatches in all runs: ${failed}`);
console.log(`  SQL statements per request: gateway ${sql.gateway}, plain ${sql.plain}`);
console.log(
  `\nmemory of this process (both servers and the load worker), after a forced GC: before the measured runs rss ${fixed(before.rssMb)} MiB heap ${fixed(before.heapMb)} MiB; after rss ${fixed(after.rssMb)} MiB heap ${fixed(after.heapMb)} MiB (${after.rssMb >= before.rssMb ? '+' : ''}${fixed(after.rssMb - before.rssMb)} MiB rss, ${after.heapMb >= before.heapMb ? '+' : ''}${fixed(after.heapMb - before.heapMb)} MiB heap)`,
);

await gateway.close();
await plain.close();
await database.close();
if (failed > 0) process.exitCode = 1;
