/**
 * `npm run bench:scale` (issue 16 points 2–4): does a request cost the same whatever else is
 * stored? One run, each ratio measured in alternating rounds:
 *   grants       a small query and the automations screen, on a database where other
 *                organizations hold 100,000 automation grants and 1,000,000 spans, against an
 *                empty one (the measured tenant is the same in both)                  goal ≤ 1.1
 *   memberships  the small query by a JWT session in 1,000 organizations, against one in a
 *                single organization                                                  goal ≤ 1.3
 *   counts       a run's spans page, a run list and the automations screen (each card counts its
 *                runs), each with totalCount against the same page without it         goal ≤ 1.1
 * The pages are the frontend's own screens (test/fixtures/frontend/operations). Each database is
 * served by the full gateway in a process of its own (bench/bench-server.ts), JWT sessions signed
 * by a local identity provider (bench/jwt-issuer.ts); this process sends one request at a time:
 * the ratios are of one request's time. Each round runs each comparison for BENCH_DURATION s
 * (default 2 on PostgreSQL, 4 on PGlite), its baseline and variant alternating request by request (bench/load-run.ts
 * alternatingRun), so that the machine's slow spells weigh on both alike; BENCH_ROUNDS rounds
 * (default 10). A ratio is variant p50 / baseline p50 of a round; min, median and max over the
 * rounds, and PASS when the median is within the goal.
 *
 * PostgreSQL with BENCH_DATABASE_URL (two throw-away databases beside it, VACUUM ANALYZE after
 * seeding, as autovacuum would), else two PGlite data directories (no ANALYZE: PGlite has no
 * autovacuum; BENCH_SCALE_ANALYZE=1|0 overrides). Seeding is bulk SQL, a minute or two on
 * either. BENCH_SCALE_GRANTS, BENCH_SCALE_SPANS and BENCH_SCALE_MEMBERSHIPS set the sizes.
 */
import './production-env.js';
import { parse, type DocumentNode } from 'graphql';
import { startJwtIssuer } from './jwt-issuer.js';
import { createSharedDatabase, type SharedDatabase } from './load-database.js';
import { alternatingRun, post, spread } from './load-run.js';
import { analyze, seedOtherOrganizations, seedTenant, TENANT, type OtherData, type Tenant } from './scale-seed.js';
import { body, screen, without } from './screens.js';
import { startServerProcess, type ServerProcess } from './server-process.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 10);
const onPostgres = Boolean(process.env.BENCH_DATABASE_URL);
// PGlite's pages are slower (a run's spans page: 140-180 ms against 30 ms): 4 s give a round
// enough requests per side for its p50.
const DURATION_S = Number(process.env.BENCH_DURATION ?? (onPostgres ? 2 : 4));
const size = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const OTHERS: OtherData = {
  grants: size('BENCH_SCALE_GRANTS', 100_000),
  spans: size('BENCH_SCALE_SPANS', 1_000_000),
  memberships: size('BENCH_SCALE_MEMBERSHIPS', 1_000),
};

// Statistics as each engine has them in service: PostgreSQL's autovacuum analyzes after bulk
// changes; PGlite has no autovacuum, so its tables have none (bench/scale-seed.ts `analyze`).
const ANALYZE = (process.env.BENCH_SCALE_ANALYZE ?? (onPostgres ? '1' : '0')) === '1';

const SMALL = parse(`query Small($organizationId: ID!, $automationId: ID!) {
  viewer { user { id email } }
  organization(id: $organizationId) { id name automation(id: $automationId) { id name visibility } }
}`);
const AUTOMATIONS = screen('Automations');
const RUNS = screen('AutomationRuns');
const SPANS = screen('RunSpans');

type Database = 'empty' | 'loaded';
interface Target {
  database: Database;
  session: 'member' | 'multi';
  document: DocumentNode;
  variables: (tenant: Tenant) => Record<string, unknown>;
  /** Values the answer must hold, by path into `data`. */
  checks: (tenant: Tenant) => Array<[string, unknown]>;
}
interface Comparison {
  point: string;
  name: string;
  base: Target;
  variant: Target;
  goal: number;
}

const small = (database: Database, session: Target['session']): Target => ({
  database,
  session,
  document: SMALL,
  variables: (t) => ({ organizationId: String(t.organizationId), automationId: t.privateAutomationId }),
  checks: (t) => [['organization.automation.id', t.privateAutomationId]],
});
const automations = (database: Database, cardCounts: boolean): Target => ({
  database,
  session: 'member',
  document: cardCounts ? AUTOMATIONS : without(AUTOMATIONS, 'AutomationCard', 'executions'),
  variables: (t) => ({ organizationId: String(t.organizationId) }),
  checks: (t) => [
    ['organization.automations.totalCount', t.visibleAutomations],
    ...(cardCounts ? [['organization.automations.edges.0.node.executions.totalCount', TENANT.runs] as [string, unknown]] : []),
  ],
});
const runs = (withCount: boolean): Target => ({
  database: 'loaded',
  session: 'member',
  document: withCount ? RUNS : without(RUNS, 'executions', 'totalCount'),
  variables: (t) => ({ organizationId: String(t.organizationId), automationId: t.automationId }),
  checks: () => [
    withCount ? ['organization.automation.executions.totalCount', TENANT.runs] : ['organization.automation.executions.edges.49.node.status', 'SUCCEEDED'],
  ],
});
const spans = (withCount: boolean): Target => ({
  database: 'loaded',
  session: 'member',
  document: withCount ? SPANS : without(SPANS, 'spans', 'totalCount'),
  variables: (t) => ({ organizationId: String(t.organizationId), executionId: t.executionId }),
  checks: () => [withCount ? ['organization.execution.spans.totalCount', TENANT.spans] : ['organization.execution.spans.edges.49.node.kind', 'CLIENT']],
});

const COMPARISONS: Comparison[] = [
  {
    point: '2 grants',
    name: 'small query (viewer, one automation): loaded / empty',
    base: small('empty', 'member'),
    variant: small('loaded', 'member'),
    goal: 1.1,
  },
  { point: '2 grants', name: 'automations screen: loaded / empty', base: automations('empty', true), variant: automations('loaded', true), goal: 1.1 },
  {
    point: '3 memberships',
    name: `small query: JWT in ${OTHERS.memberships.toLocaleString('en')} organizations / in 1`,
    base: small('loaded', 'member'),
    variant: small('loaded', 'multi'),
    goal: 1.3,
  },
  { point: '4 counts', name: "run's spans page: with totalCount / without", base: spans(false), variant: spans(true), goal: 1.1 },
  { point: '4 counts', name: 'runs page: with totalCount / without', base: runs(false), variant: runs(true), goal: 1.1 },
  {
    point: '4 counts',
    name: "automations screen: cards' run counts / none",
    base: automations('loaded', false),
    variant: automations('loaded', true),
    goal: 1.1,
  },
];

/** The value at a dotted path in parsed JSON, or undefined. */
function at(value: unknown, path: string): unknown {
  let current = value;
  for (const key of path.split('.')) current = typeof current === 'object' && current !== null ? Reflect.get(current, key) : undefined;
  return current;
}

const started = performance.now();
const seconds = () => ((performance.now() - started) / 1000).toFixed(0);
const issuer = await startJwtIssuer();
const databases: Partial<Record<Database, SharedDatabase>> = {};
const servers: Partial<Record<Database, ServerProcess>> = {};
try {
  const seeded = async (name: Database): Promise<Tenant> => {
    const database = await createSharedDatabase();
    databases[name] = database;
    const tenant = await seedTenant(database.handle.db);
    console.log(`seeding: the tenant in the ${name} database (${seconds()} s)`);
    return tenant;
  };
  const tenants: Record<Database, Tenant> = { empty: await seeded('empty'), loaded: await seeded('loaded') };
  const loadedDb = databases.loaded?.handle.db;
  if (!loadedDb) throw new Error('no loaded database');
  await seedOtherOrganizations(loadedDb, tenants.loaded, OTHERS, (step) => console.log(`seeding: other organizations: ${step} (${seconds()} s)`));
  const counted = await loadedDb
    .selectNoFrom((eb) => [
      eb.selectFrom('entityGrants').where('organizationId', '<>', tenants.loaded.organizationId).select(eb.fn.countAll<number>().as('n')).as('grants'),
      eb.selectFrom('spans').where('organizationId', '<>', tenants.loaded.organizationId).select(eb.fn.countAll<number>().as('n')).as('spans'),
      eb
        .selectFrom('memberships')
        .innerJoin('users', 'users.id', 'memberships.userId')
        .where('users.email', '=', tenants.loaded.multiEmail)
        .select(eb.fn.countAll<number>().as('n'))
        .as('memberships'),
    ])
    .executeTakeFirstOrThrow();
  for (const name of ['empty', 'loaded'] as const) {
    const database = databases[name];
    if (!database) continue;
    if (ANALYZE) await analyze(database.handle.db);
    await database.release();
    servers[name] = await startServerProcess({ kind: 'gateway', database: database.spec, copy: false, env: issuer.env });
  }
  console.log(`seeding: done${ANALYZE ? ', vacuumed and analyzed' : ''}; gateways started (${seconds()} s)`);

  const tokens = { member: await issuer.sign(tenants.empty.memberEmail), multi: await issuer.sign(tenants.empty.multiEmail) };
  const resolved = new Map<Target, { url: string; body: string; headers: Record<string, string>; expectBody: string }>();
  /** Two requests (the first links the JWT's subject and builds the permission set's schema); the second's answer is the one every later answer must equal. */
  async function prepare(target: Target): Promise<void> {
    if (resolved.has(target)) return;
    const server = servers[target.database];
    if (!server) throw new Error(`no ${target.database} server`);
    const tenant = tenants[target.database];
    const request = {
      url: server.url,
      body: body(target.document, target.variables(tenant)),
      headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens[target.session]}` },
    };
    let text = '';
    for (let i = 0; i < 2; i++) {
      const answer = await post(request.url, request.headers, request.body);
      text = answer.text;
      const parsed: unknown = JSON.parse(text);
      if (answer.status !== 200 || at(parsed, 'errors') !== undefined)
        throw new Error(`${target.database}/${target.session} answered ${answer.status}: ${text.slice(0, 2000)}`);
      for (const [path, expected] of target.checks(tenant)) {
        if (at(parsed, `data.${path}`) !== expected)
          throw new Error(
            `${target.database}/${target.session}: ${path} is ${JSON.stringify(at(parsed, `data.${path}`))}, expected ${JSON.stringify(expected)}`,
          );
      }
    }
    resolved.set(target, { ...request, expectBody: text });
  }
  const options = (target: Target) => {
    const request = resolved.get(target);
    if (!request) throw new Error('target not prepared');
    return { ...request, connections: 1, seconds: DURATION_S };
  };
  for (const comparison of COMPARISONS) for (const target of [comparison.base, comparison.variant]) await prepare(target);
  for (const target of resolved.keys()) await alternatingRun([options(target)], 1);
  console.log(`verified: every variant answers 200, without errors, with the seeded counts; warmed up (${seconds()} s)\n`);

  const results = COMPARISONS.map(() => ({
    ratios: [] as number[],
    means: [] as number[],
    base: [] as number[],
    variant: [] as number[],
    failures: 0,
    refusals: new Map<string, number>(),
  }));
  for (let round = 1; round <= ROUNDS; round++) {
    for (const [i, comparison] of COMPARISONS.entries()) {
      const [base, variant] = await alternatingRun([options(comparison.base), options(comparison.variant)], DURATION_S);
      const result = results[i];
      if (!base || !variant || !result) continue;
      result.ratios.push(variant.p50 / base.p50);
      result.means.push(variant.mean / base.mean);
      result.base.push(base.p50);
      result.variant.push(variant.p50);
      result.failures += base.errors + base.non2xx + base.mismatches + variant.errors + variant.non2xx + variant.mismatches;
      for (const [side, counts] of [['base', base.refusals] as const, ['variant', variant.refusals] as const])
        for (const [what, n] of Object.entries(counts)) result.refusals.set(`${side} ${what}`, (result.refusals.get(`${side} ${what}`) ?? 0) + n);
    }
    console.log(`round ${round}/${ROUNDS} done (${seconds()} s)`);
  }

  const label = databases.loaded?.label ?? '';
  const fixed = (n: number, digits = 3) => n.toFixed(digits);
  console.log(`\nGatehouse at scale (issue 16 points 2–4): ${label}, each database served by the gateway in its own process, JWT sessions (RS256, JWKS)`);
  console.log(
    `${ROUNDS} rounds of ${DURATION_S} s per comparison, one request at a time, baseline and variant alternating request by request; ratio = variant p50 / baseline p50 per round`,
  );
  console.log(
    `planner statistics: ${ANALYZE ? 'VACUUM ANALYZE after seeding (as autovacuum leaves them)' : 'none, no ANALYZE after seeding (PGlite has no autovacuum: it always runs so)'}; BENCH_SCALE_ANALYZE=1|0 overrides`,
  );
  console.log(
    `the tenant (both databases): ${TENANT.automations} automations (${tenants.loaded.visibleAutomations} visible to its Member, 20 per page), ${TENANT.runsEach} runs each and ${TENANT.runs.toLocaleString('en')} of the first, ${TENANT.spans.toLocaleString('en')} spans in its latest run (pages of 50)`,
  );
  console.log(
    `other organizations (loaded database only): ${Number(counted.grants).toLocaleString('en')} automation grants, ${Number(counted.spans).toLocaleString('en')} spans; the multi-organization session is in ${Number(counted.memberships).toLocaleString('en')} organizations\n`,
  );
  console.log(
    `${'point'.padEnd(14)}${'comparison'.padEnd(54)}${'base p50'.padStart(11)}${'p50'.padStart(11)}${'min'.padStart(8)}${'median'.padStart(8)}${'max'.padStart(8)}${'mean'.padStart(8)}   goal     result`,
  );
  let failed = 0;
  for (const [i, comparison] of COMPARISONS.entries()) {
    const result = results[i];
    if (!result) continue;
    const { min, median, max } = spread(result.ratios);
    const pass = median <= comparison.goal;
    if (!pass) failed++;
    console.log(
      `${comparison.point.padEnd(14)}${comparison.name.padEnd(54)}${`${fixed(spread(result.base).median, 2)} ms`.padStart(11)}${`${fixed(spread(result.variant).median, 2)} ms`.padStart(11)}${fixed(min).padStart(8)}${fixed(median).padStart(8)}${fixed(max).padStart(8)}${fixed(spread(result.means).median).padStart(8)}   ≤ ${comparison.goal.toFixed(1)}    ${pass ? 'PASS' : 'FAIL'}${
        result.failures > 0
          ? ` (${result.failures} errors, non-2xx or mismatches${
              result.refusals.size > 0 ? `: ${[...result.refusals].map(([what, n]) => `${what} × ${n}`).join(', ')}` : ''
            })`
          : ''
      }`,
    );
  }
  console.log(
    `\n${COMPARISONS.length - failed} of ${COMPARISONS.length} within their goals (p50 columns: medians over the rounds; mean: median over the rounds of the ratio of mean latencies)`,
  );
  if (results.some((r) => r.failures > 0)) process.exitCode = 1;
} finally {
  for (const name of ['empty', 'loaded'] as const) await servers[name]?.close();
  for (const name of ['empty', 'loaded'] as const) await databases[name]?.drop();
  await issuer.close();
}
