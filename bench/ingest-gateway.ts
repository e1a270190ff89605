/**
 * The gateway process of `npm run bench:ingest` (bench/ingest.ts forks it): the database (a
 * throw-away PostgreSQL database, or PGlite in memory when no PostgreSQL answers), one automation
 * per exporter with a DEPLOYED deployment holding an ingest token and a RUNNING execution, as
 * deployAutomation and runAutomation leave them, and the full Gateway on loopback. It answers the
 * bench's questions over the IPC channel: its memory and CPU, the statements it ran, and what the
 * spans take in the database.
 */
import './production-env.js';
import crypto from 'node:crypto';
import fs from 'node:fs';
import { constants, PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';
import v8 from 'node:v8';
import vm from 'node:vm';
import { sql } from 'kysely';
import pg from 'pg';
import { pino } from 'pino';
import { loadConfig } from '../src/config.js';
import { generateIngestToken } from '../src/crypto/opaque-token.js';
import { SecretBox } from '../src/crypto/secret-box.js';
import type { Db } from '../src/db/database.js';
import { Gateway } from '../src/http/gateway.js';
import { insertAutomation } from '../src/modules/automations/automations.repository.js';
import { insertDeployment } from '../src/modules/deployments/deployments.repository.js';
import { gitDeployment } from './git-deployment.js';
import { insertExecution } from '../src/modules/executions/executions.repository.js';
import { createOrganization } from '../src/modules/organizations/create-organization.js';
import { findOrCreateUserByEmail } from '../src/modules/users/users.repository.js';
import { openBenchDatabase } from './load-database.js';

export interface Exporter {
  automationId: string;
  executionId: string;
  token: string;
}

export type ToGateway = { type: 'stats'; id: number } | { type: 'close' };

export interface GatewayStats {
  rssMb: number;
  heapMb: number;
  /** The largest resident set of the process so far. */
  maxRssMb: number;
  /** process.cpuUsage(), user + system, ms since the start of the process. */
  cpuMs: number;
  /** Garbage collection pauses of the main thread so far, ms. */
  gcMs: number;
  /** CPU of this database's PostgreSQL backends (from /proc), ms; null on PGlite or when unreadable. */
  pgCpuMs: number | null;
  statements: number;
  spans: number;
  /** The executions' span counters, summed: the ingest keeps them, and they must match `spans`. */
  countedSpans: number;
  /** pg_total_relation_size (heap, TOAST, indexes) of each table, and the parts of spans. */
  bytes: { spans: number; spanSources: number; spansHeap: number; spansToast: number; spansIndexes: number };
  indexes: Array<{ name: string; bytes: number }>;
}

export type FromGateway =
  | { type: 'ready'; port: number; exporters: Exporter[]; database: string; fallback: string | null }
  | { type: 'stats'; id: number; stats: GatewayStats }
  | { type: 'closed' };

const EXPORTERS = 4;
const DEFAULT_ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

function send(message: FromGateway): void {
  if (process.connected) process.send?.(message);
}

async function reachable(url: string): Promise<string | null> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (error) {
    return error instanceof Error ? error.message || String(error) : String(error);
  }
  try {
    await client.query('select 1');
    return null;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** BENCH_DATABASE_URL, else the local server; PGlite in memory only when neither answers (and why). */
async function chooseAdminUrl(): Promise<{ admin: string | null; fallback: string | null }> {
  const candidates = [process.env.BENCH_DATABASE_URL, DEFAULT_ADMIN_URL].filter((url): url is string => Boolean(url));
  const failures: string[] = [];
  for (const url of candidates) {
    const failure = await reachable(url);
    if (failure === null) return { admin: url, fallback: null };
    failures.push(`${url.replace(/\/\/[^@/]*@/, '//…@')}: ${failure}`);
  }
  return { admin: null, fallback: failures.join('; ') };
}

async function seed(db: Db): Promise<Exporter[]> {
  const owner = await findOrCreateUserByEmail(db, 'owner@bench.example', 'Bench Owner');
  const organization = await createOrganization(db, 'Bench ingest', owner.id);
  const exporters: Exporter[] = [];
  for (let i = 0; i < EXPORTERS; i++) {
    const automation = await insertAutomation(db, {
      organizationId: organization.id,
      name: `crew-${i}`,
      description: 'Researches leads and drafts the first e-mail of an outreach sequence.',
      visibility: 'ORGANIZATION',
      createdByUserId: owner.id,
    });
    const { token, hash } = generateIngestToken();
    const deployment = await insertDeployment(
      db,
      gitDeployment({ organizationId: organization.id, automationId: automation.id, deployedByUserId: owner.id }, `acme/crew-${i}`, { ingestTokenHash: hash }),
    );
    const execution = await insertExecution(db, {
      organizationId: organization.id,
      automationId: automation.id,
      deploymentId: deployment.id,
      inputs: JSON.stringify({ company: `Acme ${i}` }),
      status: 'RUNNING',
      startedByUserId: owner.id,
      startedByServiceAccountId: null,
      error: null,
    });
    exporters.push({ automationId: automation.id, executionId: execution.id, token });
  }
  return exporters;
}

let gcMs = 0;
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    // The bench's own gc() before each memory reading is not the ingest's.
    const flags = (entry as PerformanceEntry & { detail?: { flags?: number } }).detail?.flags ?? 0;
    if ((flags & constants.NODE_PERFORMANCE_GC_FLAGS_FORCED) === 0) gcMs += entry.duration;
  }
}).observe({ entryTypes: ['gc'] });

v8.setFlagsFromString('--expose-gc');
const collect: unknown = vm.runInNewContext('gc');

let statements = 0;
const { admin, fallback } = await chooseAdminUrl();
const database = await openBenchDatabase(() => void statements++, admin);
const exporters = await seed(database.db);
const config = loadConfig({
  NODE_ENV: 'production',
  LOG_LEVEL: 'silent',
  // No per-deployment span limit: the bench measures the ingest, not the limiter's refusals.
  OTLP_RATE_LIMIT_SPANS: '0',
});
const gateway = new Gateway({
  config,
  db: database.db,
  secrets: new SecretBox(crypto.randomBytes(32)),
  logger: pino({ level: 'silent' }),
  cluster: null,
  ...(database.poolStats ? { poolStats: database.poolStats } : {}),
});
await gateway.start();
const server = await gateway.listen(0, '127.0.0.1');
const address = server.address();
if (address === null || typeof address === 'string') throw new Error('the gateway has no TCP address');

const CLOCK_TICK_MS = 10; // USER_HZ is 100 on Linux
const backendCpu = new Map<number, number>();

/** CPU of this database's backends so far; a backend that went away keeps what it last showed. */
async function pgCpuMs(): Promise<number | null> {
  if (database.dialect !== 'postgres') return null;
  const { rows } = await sql<{ pid: number }>`select pid from pg_stat_activity where datname = current_database()`.execute(database.db);
  try {
    for (const { pid } of rows) {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      backendCpu.set(pid, (Number(fields[11]) + Number(fields[12])) * CLOCK_TICK_MS);
    }
  } catch {
    return null;
  }
  return [...backendCpu.values()].reduce((sum, ms) => sum + ms, 0);
}

/** Between runs, with no request in flight: its own statements are not counted. */
async function stats(): Promise<GatewayStats> {
  const counted = statements;
  if (typeof collect === 'function') collect();
  const memory = process.memoryUsage();
  const cpu = process.cpuUsage();
  const pgCpu = await pgCpuMs();
  const size = await sql<{ spans: number; span_sources: number; heap: number; toast: number; indexes: number; count: number; counted: number }>`select
      pg_total_relation_size('spans')::bigint as spans, pg_total_relation_size('span_sources')::bigint as span_sources,
      pg_relation_size('spans')::bigint as heap, pg_indexes_size('spans')::bigint as indexes,
      coalesce((select pg_total_relation_size(reltoastrelid) from pg_class where oid = 'spans'::regclass and reltoastrelid <> 0), 0)::bigint as toast,
      (select count(*) from spans)::bigint as count, (select sum(span_count) from executions)::bigint as counted`.execute(database.db);
  const indexes = await sql<{ name: string; bytes: number }>`select indexrelid::regclass::text as name, pg_relation_size(indexrelid)::bigint as bytes
      from pg_index where indrelid in ('spans'::regclass, 'span_sources'::regclass) order by 2 desc`.execute(database.db);
  const row = size.rows[0];
  if (!row) throw new Error('no sizes');
  statements = counted;
  return {
    rssMb: memory.rss / 2 ** 20,
    heapMb: memory.heapUsed / 2 ** 20,
    maxRssMb: process.resourceUsage().maxRSS / 1024,
    cpuMs: (cpu.user + cpu.system) / 1000,
    gcMs,
    pgCpuMs: pgCpu,
    statements: counted,
    spans: Number(row.count),
    countedSpans: Number(row.counted),
    bytes: {
      spans: Number(row.spans),
      spanSources: Number(row.span_sources),
      spansHeap: Number(row.heap),
      spansToast: Number(row.toast),
      spansIndexes: Number(row.indexes),
    },
    indexes: indexes.rows.map((r) => ({ name: r.name, bytes: Number(r.bytes) })),
  };
}

let closing: Promise<void> | undefined;
/** Stops the gateway and drops the throw-away database, once. */
function shutDown(): Promise<void> {
  closing ??= (async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await gateway.stop();
    await database.close();
  })();
  return closing;
}

process.on('message', (message: ToGateway) => {
  if (message.type === 'stats') {
    void stats().then((s) => send({ type: 'stats', id: message.id, stats: s }));
    return;
  }
  // Exits (and writes the --cpu-prof profile) once the answer is out.
  void shutDown().then(() => process.send?.({ type: 'closed' } satisfies FromGateway, undefined, {}, () => process.exit(0)));
});
// The bench process went away without asking (an error, Ctrl-C), now or while this one was
// starting: the database is dropped all the same.
const abandon = () => void shutDown().then(() => process.exit(0));
process.on('disconnect', abandon);
process.on('SIGINT', () => undefined);
if (!process.connected) abandon();

send({ type: 'ready', port: address.port, exporters, database: database.label, fallback });
