/**
 * `npm run bench`: what authorization costs on a large list (issue 2 §10). One run measures, on
 * the same data and the same request path (authentication, permission preload, Apollo):
 *   plain        the executable schema without graphql-shield
 *   selective    Gatehouse's layout: shield only on fields that carry a rule
 *   every-field  graphql-shield's default layout, every field wrapped (`allow` on inherited ones)
 * and the SQL statements each request runs at 10 and 1,000 items. On PGlite in memory, or on a
 * throw-away PostgreSQL database beside BENCH_DATABASE_URL (bench/load-database.ts).
 */
import crypto from 'node:crypto';
import type { GraphQLSchema } from 'graphql';
import { pino } from 'pino';
import { loadConfig } from '../src/config.js';
import { SecretBox } from '../src/crypto/secret-box.js';
import { buildExecutableSchema, buildSchema } from '../src/graphql/schema.js';
import { Gateway } from '../src/http/gateway.js';
import { issueApiToken } from '../src/modules/api-tokens/issue-token.js';
import { createOrganization } from '../src/modules/organizations/create-organization.js';
import { findOrCreateUserByEmail } from '../src/modules/users/users.repository.js';
import { openBenchDatabase } from './load-database.js';

const ITEMS = 1000;
const WARMUP = 5;
const RUNS = Number(process.env.BENCH_RUNS ?? 30);
const QUERY = `query($id: ID!, $n: Int!) { organization(id: $id) { tools(first: $n) { edges { node {
  id name description kind config createdAt updatedAt createdBy { id name email } } } } } }`;

let statements = 0;
const database = await openBenchDatabase(() => void statements++);
const db = database.db;
const user = await findOrCreateUserByEmail(db, 'bench@example.com', 'Bench');
const org = await createOrganization(db, 'Bench', user.id);
const { secret } = await issueApiToken(db, org.id, { userId: user.id }, 'bench');
for (let start = 0; start < ITEMS; start += 250) {
  await db
    .insertInto('tools')
    .values(
      Array.from({ length: 250 }, (_, i) => ({
        organizationId: org.id,
        name: `tool-${start + i}`,
        description: 'A tool used by the benchmark, with a description of ordinary length.',
        kind: 'HTTP' as const,
        config: JSON.stringify({ url: `https://example.com/${start + i}`, method: 'POST' }),
        createdByUserId: user.id,
      })),
    )
    .execute();
}

// The cost limit would refuse 1,000 items x 10 fields (by design); the bench measures authorization.
const config = loadConfig({ NODE_ENV: 'production', MAX_PAGE_SIZE: String(ITEMS), MAX_QUERY_COST: '1000000', LOG_LEVEL: 'silent' });
const secrets = new SecretBox(crypto.randomBytes(32));
const logger = pino({ level: 'silent' });
const variants: Record<string, GraphQLSchema> = {
  plain: buildExecutableSchema(),
  selective: buildSchema('selective'),
  'every-field': buildSchema('every-field'),
};
const gateways = Object.fromEntries(
  await Promise.all(
    Object.entries(variants).map(async ([name, schema]) => {
      const gateway = new Gateway({ config, db, secrets, logger, schema, cluster: null });
      await gateway.start();
      return [name, gateway] as const;
    }),
  ),
);

async function request(gateway: Gateway, items: number): Promise<number> {
  const started = process.hrtime.bigint();
  const contextValue = await gateway.context(`Bearer ${secret}`, 'bench');
  const response = await (
    await gateway.apolloFor(contextValue)
  ).executeOperation({ query: QUERY, variables: { id: String(org.id), n: items } }, { contextValue });
  if (response.body.kind !== 'single' || response.body.singleResult.errors) {
    throw new Error(`bench query failed: ${JSON.stringify(response.body)}`);
  }
  return Number(process.hrtime.bigint() - started) / 1e6;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
};

const timings: Record<string, number[]> = Object.fromEntries(Object.keys(gateways).map((name) => [name, []]));
for (let run = 0; run < WARMUP + RUNS; run++) {
  // Interleaved, so that drift of the machine touches every variant alike.
  for (const [name, gateway] of Object.entries(gateways)) {
    const ms = await request(gateway, ITEMS);
    if (run >= WARMUP) timings[name]?.push(ms);
  }
}

const sqlPerRequest: Record<number, number> = {};
for (const items of [10, ITEMS]) {
  statements = 0;
  await request(gateways.selective as Gateway, items);
  sqlPerRequest[items] = statements;
}

const plain = median(timings.plain ?? []);
console.log(`\nGatehouse bench: ${ITEMS} items x 10 fields, median of ${RUNS} runs each (${database.label}, in-process)\n`);
for (const name of Object.keys(gateways)) {
  const ms = median(timings[name] ?? []);
  console.log(`${name.padEnd(12)} ${ms.toFixed(2).padStart(9)} ms   ratio to plain ${(ms / plain).toFixed(3)}`);
}
console.log(`\nSQL statements per request: ${sqlPerRequest[10]} at 10 items, ${sqlPerRequest[ITEMS]} at ${ITEMS} items`);
const ratio = median(timings.selective ?? []) / plain;
console.log(
  `goal: selective/plain <= 1.10 -> ${ratio <= 1.1 ? 'met' : 'NOT met'} (${ratio.toFixed(3)}); SQL equal -> ${sqlPerRequest[10] === sqlPerRequest[ITEMS] ? 'met' : 'NOT met'}`,
);

for (const gateway of Object.values(gateways)) await gateway.stop();
await database.close();
