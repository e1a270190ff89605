/**
 * `npm run bench:schema-cache` (issue 15 §3): can one tenant thrash the cache of permission-set
 * schemas? An attacker's 300 members, each of a role with its own levels (six organizations of 50
 * custom roles: MAX_CUSTOM_ROLES_PER_ORGANIZATION), send 19 requests a second from one address,
 * rotating through them, while another tenant's Member loads the automations screen at a steady
 * pace. Reports the other tenant's p50 and p99 alone (before and after) and under the attack, the
 * attacker's answers by status, and the heap retained by the cache (after a forced GC).
 * SCHEMA_BUILDS_PER_ORGANIZATION_PER_MINUTE=0 runs the same without the build budget.
 * PGlite in memory, or PostgreSQL with BENCH_DATABASE_URL.
 */
import './production-env.js';
import v8 from 'node:v8';
import vm from 'node:vm';
import { columnsFromLevels, FEATURES, LEVELS, type Feature, type Level } from '../src/authz/features.js';
import { issueApiToken } from '../src/modules/api-tokens/issue-token.js';
import { insertMembership } from '../src/modules/members/members.repository.js';
import { createOrganization } from '../src/modules/organizations/create-organization.js';
import { insertRole } from '../src/modules/roles/roles.repository.js';
import { findOrCreateUserByEmail } from '../src/modules/users/users.repository.js';
import { startBenchGateway } from './bench-gateway.js';
import { seedAutomationsScreen } from './load-data.js';
import { openBenchDatabase } from './load-database.js';

const SETS = 300;
const ROLES_PER_ORGANIZATION = 50;
const ATTACK_PER_SECOND = 19;
const TENANT_PER_SECOND = 20;
const SECONDS = Number(process.env.BENCH_DURATION ?? 15);

v8.setFlagsFromString('--expose-gc');
const collect: unknown = vm.runInNewContext('gc');
function heapMb(): number {
  if (typeof collect === 'function') collect();
  return process.memoryUsage().heapUsed / 2 ** 20;
}

const database = await openBenchDatabase(() => undefined);
const tenant = await seedAutomationsScreen(database.db, 50);
const attackers: string[] = [];
for (let i = 0; i < SETS; i++) {
  const org = Math.floor(i / ROLES_PER_ORGANIZATION);
  const owner = await findOrCreateUserByEmail(database.db, `attacker-${org}@bench.example`, 'Attacker');
  const organizationId =
    i % ROLES_PER_ORGANIZATION === 0
      ? (await createOrganization(database.db, `Attacker ${org}`, owner.id)).id
      : (await database.db.selectFrom('organizations').select('id').where('name', '=', `Attacker ${org}`).executeTakeFirstOrThrow()).id;
  // Role i's levels are the base-3 digits of i + 1: 300 distinct permission sets.
  const levels = Object.fromEntries(FEATURES.map((feature, k) => [feature, LEVELS[Math.floor((i + 1) / 3 ** k) % 3] ?? 'NO_ACCESS'])) as Record<Feature, Level>;
  const role = await insertRole(database.db, { organizationId, name: `role-${i}`, kind: 'CUSTOM', template: null, ...columnsFromLevels(levels) });
  const user = await findOrCreateUserByEmail(database.db, `attacker-member-${i}@bench.example`, `Member ${i}`);
  await insertMembership(database.db, { organizationId, userId: user.id, roleId: role.id });
  attackers.push((await issueApiToken(database.db, organizationId, { userId: user.id }, 'bench')).secret);
}

// Within the rate limits, as in the finding: what is measured is the cache.
const budget = process.env.SCHEMA_BUILDS_PER_ORGANIZATION_PER_MINUTE;
const { config, url, close } = await startBenchGateway(database.db, budget === undefined ? {} : { SCHEMA_BUILDS_PER_ORGANIZATION_PER_MINUTE: budget });

const SCREEN = JSON.stringify({
  query:
    'query($org: ID!) { organization(id: $org) { name automations(first: 20) { totalCount edges { node { id name latestDeployment { version status } } } } } }',
  variables: { org: String(tenant.organizationId) },
});
const PROBE = JSON.stringify({ query: '{ viewer { __typename } }' });

async function post(token: string, body: string): Promise<{ status: number; ms: number }> {
  const started = performance.now();
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body });
  await response.arrayBuffer();
  return { status: response.status, ms: performance.now() - started };
}

/** Calls `send` `perSecond` times a second for `seconds`, at a steady pace; resolves with every result. */
async function paced<T>(perSecond: number, seconds: number, send: (i: number) => Promise<T>): Promise<T[]> {
  const pending: Promise<T>[] = [];
  const started = performance.now();
  for (let i = 0; i < perSecond * seconds; i++) {
    const due = started + (i * 1000) / perSecond;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    pending.push(send(i));
  }
  return Promise.all(pending);
}

const quantile = (values: number[], q: number) =>
  [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.ceil(values.length * q) - 1)] ?? Number.NaN;
const tenantRun = async () => {
  const results = await paced(TENANT_PER_SECOND, SECONDS, () => post(tenant.memberToken, SCREEN));
  if (results.some((r) => r.status !== 200)) throw new Error('the tenant was refused');
  return {
    p50: quantile(
      results.map((r) => r.ms),
      0.5,
    ),
    p99: quantile(
      results.map((r) => r.ms),
      0.99,
    ),
  };
};

await paced(TENANT_PER_SECOND, 2, () => post(tenant.memberToken, SCREEN)); // warm-up
const heapBefore = heapMb();
const before = await tenantRun();
const statuses: Record<number, number> = {};
const [attacked] = await Promise.all([
  tenantRun(),
  paced(ATTACK_PER_SECOND, SECONDS, async (i) => {
    const { status } = await post(attackers[i % SETS] ?? '', PROBE);
    statuses[status] = (statuses[status] ?? 0) + 1;
  }),
]);
const heapAfter = heapMb();
const after = await tenantRun();

const fixed = (n: number, digits = 1) => n.toFixed(digits);
const baseline = Math.max(before.p99, after.p99);
console.log(
  `\nGatehouse schema cache under a rotating tenant: ${SETS} permission sets at ${ATTACK_PER_SECOND} req/s from one address, another tenant's automations screen at ${TENANT_PER_SECOND} req/s, ${SECONDS} s per phase, ${database.label}`,
);
console.log(`schema builds per organization per minute: ${config.limits.schemaBuildsPerOrganizationPerMinute || 'unlimited'}\n`);
console.log(
  `other tenant   alone before: p50 ${fixed(before.p50, 2)} ms p99 ${fixed(before.p99, 2)} ms; under attack: p50 ${fixed(attacked.p50, 2)} ms p99 ${fixed(attacked.p99, 2)} ms; alone after: p50 ${fixed(after.p50, 2)} ms p99 ${fixed(after.p99, 2)} ms`,
);
console.log(`p99 under attack / alone (the larger of before and after): ${fixed(attacked.p99 / baseline, 3)} (goal ≤ 1.5)`);
console.log(`attacker's answers by HTTP status: ${JSON.stringify(statuses)}`);
console.log(`heap retained by the cache (after a forced GC, after the attack minus before): ${fixed(heapAfter - heapBefore)} MiB (goal < 64)`);

await close();
await database.close();
