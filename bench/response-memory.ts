// Issue 15 §1, measured: one tenant's worst-case reads against a built server in a child process.
// An execution holds spans filled to the OTLP caps (OTLP_SPAN_MAX_BYTES of attributes each); the
// attacker sends the largest span read the query cost admits, 10 at a time, again and again, while
// another tenant's Member loads the automations screen at a steady pace. Reports the server's
// resident memory (before, peak) and the other tenant's p50/p99 alone and under the attack.
//
//   npm run build --silent
//   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npx tsx bench/response-memory.ts [--budget BYTES] [--concurrency 10] [--seconds 20]
//
// --budget sets MAX_RESPONSE_BYTES (default: the gateway's own); a large one shows the reads the
// cost model alone admits. Without BENCH_DATABASE_URL: PGlite in a temp dir.
import { execFile, fork } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs, promisify } from 'node:util';
import pg from 'pg';
import { loadConfig } from '../src/config.js';
import { openDatabase } from '../src/db/connect.js';
import { fileSpans } from '../src/ingest/file-spans.js';
import type { OtlpSpan } from '../src/ingest/otlp-request.js';
import { issueApiToken } from '../src/modules/api-tokens/issue-token.js';
import { insertAutomation } from '../src/modules/automations/automations.repository.js';
import { insertDeployment } from '../src/modules/deployments/deployments.repository.js';
import { gitDeployment } from './git-deployment.js';
import { insertExecution } from '../src/modules/executions/executions.repository.js';
import { createOrganization } from '../src/modules/organizations/create-organization.js';
import { findOrCreateUserByEmail } from '../src/modules/users/users.repository.js';
import { ROOT_DIR } from '../src/paths.js';
import { seedAutomationsScreen } from './load-data.js';
import { rssMiB, startBuiltServer } from './built-server.js';

const { values } = parseArgs({ options: { budget: { type: 'string' }, concurrency: { type: 'string' }, seconds: { type: 'string' } } });
const concurrency = Number(values.concurrency ?? 10);
const seconds = Number(values.seconds ?? 20);
const TENANT_PER_SECOND = 20;
const PAGE = 100;

const admin = process.env.BENCH_DATABASE_URL;
const dbName = `gatehouse_bench_${crypto.randomBytes(4).toString('hex')}`;
const dataDir = admin ? undefined : fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-response-memory-'));
const databaseUrl = admin ? Object.assign(new URL(admin), { pathname: `/${dbName}` }).toString() : '';
const env = {
  ...process.env,
  NODE_ENV: 'production',
  LOG_LEVEL: 'warn',
  HOST: '127.0.0.1',
  PORT: '0',
  RATE_LIMIT_PER_TOKEN: '10000000',
  RATE_LIMIT_PER_ADDRESS: '10000000',
  GATEHOUSE_SECRET_KEY: crypto.randomBytes(32).toString('base64'),
  ...(values.budget ? { MAX_RESPONSE_BYTES: values.budget } : {}),
  ...(dataDir ? { DATABASE_URL: '', DATA_DIR: dataDir } : { DATABASE_URL: databaseUrl }),
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;

async function adminQuery(statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

/** A span of `executionId` whose attributes fill OTLP_SPAN_MAX_BYTES in values of at most the value length. */
function spanAtCaps(executionId: string, caps: { spanBytes: number; valueLength: number }): OtlpSpan {
  const attributes: Record<string, string> = { 'gatehouse.execution.id': executionId };
  const size = () => Buffer.byteLength(JSON.stringify(attributes)) + 'worst'.length + 2;
  for (let i = 0; ; i++) {
    const key = `fill.${i}`;
    attributes[key] = '';
    const room = caps.spanBytes - size();
    if (room <= 0) {
      delete attributes[key];
      break;
    }
    attributes[key] = 'x'.repeat(Math.min(caps.valueLength, room));
  }
  const start = BigInt(Date.now()) * 1_000_000n;
  return {
    path: 'bench',
    traceId: crypto.randomBytes(16).toString('hex'),
    spanId: crypto.randomBytes(8).toString('hex'),
    parentSpanId: crypto.randomBytes(8).toString('hex'),
    traceState: null,
    flags: null,
    name: 'worst',
    kind: 1,
    startTimeUnixNano: start,
    endTimeUnixNano: start + 1_000_000n,
    statusCode: 0,
    statusMessage: null,
    attributes,
    droppedAttributesCount: 0,
    events: [],
    droppedEventsCount: 0,
    links: [],
    droppedLinksCount: 0,
    source: {
      resource: { attributes: { 'service.name': 'bench' }, droppedAttributesCount: 0, schemaUrl: null },
      scope: { name: 'bench', version: null, attributes: {}, droppedAttributesCount: 0, schemaUrl: null },
    },
  };
}

/** The attacker's organization: one execution with `spans` spans at the caps. */
async function seed(
  spans: number,
): Promise<{ attacker: { organizationId: number; token: string; executionId: string }; tenant: { organizationId: number; token: string } }> {
  const handle = openDatabase(dataDir ? { dataDir } : { url: databaseUrl, poolMax: 4 });
  try {
    const { db } = handle;
    const tenant = await seedAutomationsScreen(db, 50);
    const owner = await findOrCreateUserByEmail(db, 'attacker@bench.example', 'Attacker');
    const organization = await createOrganization(db, 'Attacker', owner.id);
    const automation = await insertAutomation(db, {
      organizationId: organization.id,
      name: 'worst',
      description: '',
      visibility: 'ORGANIZATION',
      createdByUserId: owner.id,
    });
    const deployment = await insertDeployment(
      db,
      gitDeployment({ organizationId: organization.id, automationId: automation.id, deployedByUserId: owner.id }, 'acme/worst'),
    );
    const execution = await insertExecution(db, {
      organizationId: organization.id,
      automationId: automation.id,
      deploymentId: deployment.id,
      inputs: '{}',
      startedByUserId: owner.id,
      startedByServiceAccountId: null,
    });
    const { ingest } = loadConfig({ NODE_ENV: 'production' });
    const source = { organizationId: organization.id, automationId: automation.id, deploymentId: deployment.id, version: 1 };
    for (let filed = 0; filed < spans; filed += 50) {
      const batch = Array.from({ length: Math.min(50, spans - filed) }, () =>
        spanAtCaps(execution.id, { spanBytes: ingest.spanBytes, valueLength: ingest.attributeValueLength }),
      );
      const result = await fileSpans(db, source, batch, [], { spanBytes: ingest.spanBytes, sourceBytes: ingest.sourceBytes });
      if (result.stored !== batch.length) throw new Error(`stored ${result.stored} of ${batch.length}: ${JSON.stringify(result.rejected[0])}`);
    }
    const { secret } = await issueApiToken(db, organization.id, { userId: owner.id }, 'bench');
    return {
      attacker: { organizationId: organization.id, token: secret, executionId: execution.id },
      tenant: { organizationId: tenant.organizationId, token: tenant.memberToken },
    };
  } finally {
    await handle.close();
  }
}

const worstQuery = (aliases: number, last: number) =>
  `query($o: ID!, $id: ID!) { organization(id: $o) { ${Array.from({ length: aliases }, (_, i) => `e${i}: execution(id: $id) { spans(first: ${i === aliases - 1 ? last : PAGE}) { edges { node { attributes } } } }`).join(' ')} } }`;

async function main(): Promise<void> {
  const cli = path.join(ROOT_DIR, 'dist/src/cli/main.js');
  if (admin) await adminQuery(`create database ${dbName}`);
  await promisify(execFile)(process.execPath, [cli, 'migrate'], { env });
  // Enough spans for the largest admitted read: the cost of 15 pages of 100 is under MAX_QUERY_COST.
  const { attacker, tenant } = await seed(15 * PAGE);
  // BENCH_NODE_ARGS: flags for the server's node, such as --cpu-prof.
  const nodeArgs = process.env.BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
  const { process: server, pid, port } = await startBuiltServer(ROOT_DIR, env, nodeArgs);
  const url = `http://127.0.0.1:${port}/graphql`;
  const post = async (token: string, query: string, variables: Record<string, string>) => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query, variables }),
    });
    const raw = Buffer.from(await response.arrayBuffer());
    const code = (JSON.parse(raw.toString('utf8')) as { errors?: Array<{ extensions?: { code?: string } }> }).errors?.[0]?.extensions?.code;
    return { status: response.status, bytes: raw.length, code };
  };

  // The largest read the cost admits: whole pages while they fit, then the largest last page.
  const attackVariables = { o: String(attacker.organizationId), id: attacker.executionId };
  const admits = async (aliases: number, last: number) =>
    (await post(attacker.token, worstQuery(aliases, last), { ...attackVariables, id: crypto.randomUUID() })).code !== 'QUERY_TOO_COMPLEX';
  let aliases = 0;
  while (await admits(aliases + 1, PAGE)) aliases++;
  if (aliases === 0) throw new Error('no page of spans is admitted');
  let low = 0;
  let high = PAGE - 1;
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (await admits(aliases + 1, mid)) low = mid;
    else high = mid - 1;
  }
  const worst = low > 0 ? worstQuery(aliases + 1, low) : worstQuery(aliases, PAGE);
  const spansRead = aliases * PAGE + low;

  const eventLoopDelay = async (): Promise<{ p99: number; max: number }> => {
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    const seconds = (name: string) => Number(new RegExp(`^${name} (\\S+)`, 'm').exec(text)?.[1] ?? Number.NaN);
    return { p99: Math.round(seconds('nodejs_eventloop_lag_p99_seconds') * 1000), max: Math.round(seconds('nodejs_eventloop_lag_max_seconds') * 1000) };
  };
  const SCREEN =
    'query($o: ID!) { organization(id: $o) { name automations(first: 20) { totalCount edges { node { id name latestDeployment { version status } } } } } }';
  const tenantLatencies = async (ms: number): Promise<number[]> => {
    const times: number[] = [];
    const until = Date.now() + ms;
    const pending: Promise<void>[] = [];
    while (Date.now() < until) {
      const started = performance.now();
      pending.push(
        post(tenant.token, SCREEN, { o: String(tenant.organizationId) }).then((answer) => {
          if (answer.status !== 200 || answer.code) throw new Error(`tenant answered ${answer.status} ${answer.code}`);
          times.push(performance.now() - started);
        }),
      );
      await sleep(1000 / TENANT_PER_SECOND);
    }
    await Promise.all(pending);
    return times.sort((a, b) => a - b);
  };

  await tenantLatencies(2_000); // warm-up
  await sleep(1_000);
  const before = rssMiB(pid);
  await eventLoopDelay(); // prom-client restarts its delay histogram at every scrape
  const alone = await tenantLatencies(seconds * 1000);
  const aloneDelay = await eventLoopDelay();
  let peak = rssMiB(pid);
  const sampler = setInterval(() => (peak = Math.max(peak, rssMiB(pid))), 10);
  // The attacker runs in a process of its own (bench/attacker.ts says why).
  const attackerProcess = fork(path.join(ROOT_DIR, 'bench/attacker.ts'), [
    JSON.stringify({ url, token: attacker.token, query: worst, variables: attackVariables, concurrency }),
  ]);
  const report = new Promise<{ statuses: Record<string, number>; largestAnswerBytes: number }>((resolve, reject) => {
    attackerProcess.once('message', (message) => resolve(message as { statuses: Record<string, number>; largestAnswerBytes: number }));
    attackerProcess.once('exit', (code) => reject(new Error(`the attacker exited (${code}) without a report`)));
  });
  const attacked = await tenantLatencies(seconds * 1000);
  const attackedDelay = await eventLoopDelay();
  attackerProcess.send('stop');
  const { statuses, largestAnswerBytes: largest } = await report;
  clearInterval(sampler);
  await sleep(1_000);
  const after = await tenantLatencies(seconds * 1000);
  const p = (times: number[]) => ({ p50: Math.round(quantile(times, 0.5) * 10) / 10, p99: Math.round(quantile(times, 0.99) * 10) / 10 });
  const baseline = Math.max(quantile(alone, 0.99), quantile(after, 0.99));
  process.stdout.write(
    `${JSON.stringify(
      {
        database: admin ? 'PostgreSQL' : 'PGlite',
        maxResponseBytes: values.budget ?? 'default',
        worstRead: { spans: spansRead, concurrency, largestAnswerBytes: largest, statuses },
        rssMiB: { before: Math.round(before), peak: Math.round(peak), growth: Math.round(peak - before) },
        tenantMs: { alone: p(alone), attacked: p(attacked), after: p(after) },
        // How long the server's own thread kept requests waiting (prom-client's monitor, 10 ms resolution):
        // the part of the tenant's latency that is the gateway's, not the machine's shared cores.
        serverEventLoopDelayMs: { alone: aloneDelay, attacked: attackedDelay },
        tenantP99Ratio: Math.round((quantile(attacked, 0.99) / baseline) * 100) / 100,
      },
      null,
      1,
    )}\n`,
  );
  server.kill('SIGTERM');
  await new Promise((resolve) => server.once('exit', resolve));
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  if (admin) await adminQuery(`drop database if exists ${dbName} with (force)`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
