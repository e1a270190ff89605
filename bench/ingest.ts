/**
 * `npm run bench:ingest` (issue 10 point 7): spans per second through the whole `POST /v1/traces`
 * — HTTP on loopback, ingest-token authentication, decoding, validation, the one-transaction
 * insert — with batches of 512 spans (OTEL_BSP_MAX_EXPORT_BATCH_SIZE's default), for OTLP/HTTP
 * protobuf and JSON, from one exporter and from four at once (each its own automation,
 * deployment and execution, as four automations' runtimes would be). Then what the spans take in
 * the database per span, against what they took on the wire.
 *
 * The gateway runs in its own process (bench/ingest-gateway.ts), on a throw-away PostgreSQL
 * database (BENCH_DATABASE_URL, else postgres://postgres@127.0.0.1:5432, dropped at the end;
 * PGlite in memory only when neither answers, and the output says so), with OTLP_RATE_LIMIT_SPANS=0
 * and logging off. This process is the exporters: each sends one batch at a time, as the SDK's
 * BatchSpanProcessor does, over its own keep-alive connection. The bodies are what the
 * OpenTelemetry JS exporters send (bench/ingest-spans.ts), with fresh ids in every request.
 * Every answer must be 200 without partial_success; anything else is counted as an error.
 *
 * BENCH_DURATION (s, default 8), BENCH_WARMUP (s, default 2), BENCH_ROUNDS (default 1),
 * BENCH_BATCH (default 512), BENCH_RUNS (default protobuf:1,json:1,protobuf:4,json:4),
 * BENCH_CPU_PROF=<dir> (the gateway writes a --cpu-prof profile there), BENCH_GATEWAY_FLAGS (node
 * flags of the gateway process, such as --max-semi-space-size=64).
 */
import { fork, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeTraceResponse } from '../src/ingest/otlp-proto.js';
import type { Exporter, FromGateway, GatewayStats, ToGateway } from './ingest-gateway.js';
import { BodyTemplate, crewSpans, type Encoding } from './ingest-spans.js';

const BATCH = Number(process.env.BENCH_BATCH ?? 512);
const DURATION_S = Number(process.env.BENCH_DURATION ?? 8);
const WARMUP_S = Number(process.env.BENCH_WARMUP ?? 2);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 1);
const PROFILE_DIR = process.env.BENCH_CPU_PROF;
const GATEWAY_FLAGS = (process.env.BENCH_GATEWAY_FLAGS ?? '').split(' ').filter(Boolean);
// BENCH_RUNS=protobuf:4,json:4 measures only those.
const CONFIGURATIONS: Array<{ encoding: Encoding; exporters: number }> = (process.env.BENCH_RUNS ?? 'protobuf:1,json:1,protobuf:4,json:4')
  .split(',')
  .map((run) => {
    const [encoding, exporters] = run.split(':');
    if ((encoding !== 'protobuf' && encoding !== 'json') || !['1', '2', '3', '4'].includes(exporters ?? ''))
      throw new Error(`BENCH_RUNS: ${run} is not protobuf|json:1-4`);
    return { encoding, exporters: Number(exporters) };
  });

// ---- the gateway process ----

const here = path.dirname(fileURLToPath(import.meta.url));
const child: ChildProcess = fork(path.join(here, 'ingest-gateway.ts'), [], {
  execArgv: ['--import', 'tsx', ...GATEWAY_FLAGS, ...(PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`] : [])],
  stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
});
const waiting = new Map<number, (stats: GatewayStats) => void>();
let onReady: ((message: Extract<FromGateway, { type: 'ready' }>) => void) | undefined;
let onClosed: (() => void) | undefined;
child.on('message', (message: FromGateway) => {
  if (message.type === 'ready') onReady?.(message);
  else if (message.type === 'stats') waiting.get(message.id)?.(message.stats);
  else onClosed?.();
});
child.on('exit', (code) => {
  if (code !== 0 && code !== null) {
    console.error(`the gateway process exited with ${code}`);
    process.exit(1);
  }
});
const toGateway = (message: ToGateway) => child.send(message);
let statsId = 0;
function gatewayStats(): Promise<GatewayStats> {
  const id = ++statsId;
  return new Promise((resolve) => {
    waiting.set(id, resolve);
    toGateway({ type: 'stats', id });
  });
}

const ready = await new Promise<Extract<FromGateway, { type: 'ready' }>>((resolve) => (onReady = resolve));
const url = { host: '127.0.0.1', port: ready.port, path: '/v1/traces' };

// ---- the exporters ----

interface Sender {
  exporter: Exporter;
  agent: http.Agent;
  templates: Record<Encoding, BodyTemplate>;
}

const senders: Sender[] = ready.exporters.map((exporter) => {
  const spans = crewSpans(exporter.automationId, exporter.executionId, BATCH);
  return {
    exporter,
    // One connection per exporter, kept alive between exports, as the OTLP/HTTP exporter's agent does.
    agent: new http.Agent({ keepAlive: true, maxSockets: 1 }),
    templates: { protobuf: new BodyTemplate('protobuf', spans), json: new BodyTemplate('json', spans) },
  };
});

const CONTENT_TYPE: Record<Encoding, string> = { protobuf: 'application/x-protobuf', json: 'application/json' };

function post(sender: Sender, encoding: Encoding, body: Buffer): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        ...url,
        method: 'POST',
        agent: sender.agent,
        headers: { 'content-type': CONTENT_TYPE[encoding], 'content-length': body.length, authorization: `Bearer ${sender.exporter.token}` },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** Why an answer is not a full success (200, no partial_success), or null. */
function problemOf(encoding: Encoding, status: number, body: Buffer): string | null {
  if (status !== 200) return `${status} ${body.toString('utf8').slice(0, 300)}`;
  try {
    const parsed: unknown = encoding === 'json' ? JSON.parse(body.toString('utf8') || '{}') : decodeTraceResponse(body);
    const partial = typeof parsed === 'object' && parsed !== null ? (parsed as { partialSuccess?: unknown }).partialSuccess : undefined;
    return partial === undefined || partial === null ? null : `200 with partialSuccess ${JSON.stringify(partial)}`;
  } catch (error) {
    return `200 with an unreadable body (${error instanceof Error ? error.message : String(error)})`;
  }
}

interface Outcome {
  requests: number;
  errors: number;
  latenciesMs: number[];
  firstProblems: string[];
}

/** Each exporter sends one batch after another until the deadline; requests started before it count. */
let spansAccepted = 0;

async function drive(encoding: Encoding, exporters: number, seconds: number): Promise<Outcome & { elapsedS: number }> {
  const outcome: Outcome = { requests: 0, errors: 0, latenciesMs: [], firstProblems: [] };
  const started = performance.now();
  const deadline = started + seconds * 1000;
  await Promise.all(
    senders.slice(0, exporters).map(async (sender) => {
      while (performance.now() < deadline) {
        const body = sender.templates[encoding].next();
        const sent = performance.now();
        let problem: string | null;
        try {
          const answer = await post(sender, encoding, body);
          problem = problemOf(encoding, answer.status, answer.body);
        } catch (error) {
          problem = `request failed: ${error instanceof Error ? error.message : String(error)}`;
        }
        outcome.latenciesMs.push(performance.now() - sent);
        outcome.requests++;
        if (problem === null) spansAccepted += BATCH;
        else {
          outcome.errors++;
          if (outcome.firstProblems.length < 3) outcome.firstProblems.push(problem);
        }
      }
    }),
  );
  return { ...outcome, elapsedS: (performance.now() - started) / 1000 };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

interface Run {
  encoding: Encoding;
  exporters: number;
  spansPerS: number;
  requestsPerS: number;
  p50: number;
  p99: number;
  requests: number;
  errors: number;
  statementsPerRequest: number;
  gatewayCores: number;
  /** Garbage-collection pauses over the gateway's CPU time. */
  gcShare: number;
  pgCores: number | null;
  clientCores: number;
  problems: string[];
}

async function measure(encoding: Encoding, exporters: number): Promise<Run> {
  await drive(encoding, exporters, WARMUP_S);
  const before = await gatewayStats();
  const clientBefore = process.cpuUsage();
  const outcome = await drive(encoding, exporters, DURATION_S);
  const client = process.cpuUsage(clientBefore);
  const after = await gatewayStats();
  const sorted = [...outcome.latenciesMs].sort((a, b) => a - b);
  const good = outcome.requests - outcome.errors;
  const wallMs = outcome.elapsedS * 1000;
  return {
    encoding,
    exporters,
    spansPerS: (good * BATCH) / outcome.elapsedS,
    requestsPerS: outcome.requests / outcome.elapsedS,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    requests: outcome.requests,
    errors: outcome.errors,
    statementsPerRequest: (after.statements - before.statements) / outcome.requests,
    gatewayCores: (after.cpuMs - before.cpuMs) / wallMs,
    gcShare: (after.gcMs - before.gcMs) / (after.cpuMs - before.cpuMs),
    pgCores: after.pgCpuMs !== null && before.pgCpuMs !== null ? (after.pgCpuMs - before.pgCpuMs) / wallMs : null,
    clientCores: (client.user + client.system) / 1000 / wallMs,
    problems: outcome.firstProblems,
  };
}

// ---- the runs ----

const load = os
  .loadavg()
  .map((n) => n.toFixed(2))
  .join(' ');
console.log(`Gatehouse ingest bench: POST /v1/traces, ${BATCH} spans per request, ${DURATION_S} s per run after a ${WARMUP_S} s warm-up, loopback`);
console.log(
  `database: ${ready.database}${ready.fallback ? ` — FALLBACK: no PostgreSQL answered (${ready.fallback}); PGlite runs in the gateway process, one statement at a time` : ''}`,
);
console.log(
  `gateway: NODE_ENV=production, OTLP_RATE_LIMIT_SPANS=0 (no span limit), logging off${GATEWAY_FLAGS.length > 0 ? `, node ${GATEWAY_FLAGS.join(' ')}` : ''}; ${os.cpus().length} CPUs, load average ${load} at start`,
);

const memoryBefore = await gatewayStats();
const runs: Run[] = [];
for (let round = 1; round <= ROUNDS; round++) {
  for (const { encoding, exporters } of CONFIGURATIONS) {
    const run = await measure(encoding, exporters);
    runs.push(run);
    console.log(`  measured ${encoding} × ${exporters}: ${Math.round(run.spansPerS)} spans/s${run.errors > 0 ? `, ${run.errors} errors` : ''}`);
  }
}
const final = await gatewayStats();

const fixed = (n: number, digits = 1) => n.toFixed(digits);
// CPU per span is what the machine's load does not change much: at 2 cores, 30,000 spans/s leaves
// 33 µs per span to the gateway's one thread and 67 µs to gateway and PostgreSQL together.
const usPerSpan = (cores: number, r: Run) => (r.spansPerS > 0 ? (cores * 1e6) / r.spansPerS : NaN);
console.log('\n                                                                                  CPU cores used            CPU µs per span   gateway');
console.log(
  'encoding  exporters    spans/s    req/s   p50 ms   p99 ms  requests  errors  stmts/req   gateway  pg backends  bench   gateway  pg backends   GC/CPU',
);
for (const r of runs) {
  const cells = [
    r.encoding.padEnd(9),
    String(r.exporters).padStart(9),
    fixed(r.spansPerS, 0).padStart(10),
    fixed(r.requestsPerS).padStart(8),
    fixed(r.p50).padStart(8),
    fixed(r.p99).padStart(8),
    String(r.requests).padStart(9),
    String(r.errors).padStart(7),
    fixed(r.statementsPerRequest, 2).padStart(10),
    fixed(r.gatewayCores, 2).padStart(9),
    (r.pgCores === null ? 'n/a' : fixed(r.pgCores, 2)).padStart(12),
    fixed(r.clientCores, 2).padStart(6),
    fixed(usPerSpan(r.gatewayCores, r)).padStart(9),
    (r.pgCores === null ? 'n/a' : fixed(usPerSpan(r.pgCores, r))).padStart(12),
    `${fixed(r.gcShare * 100, 0)}%`.padStart(8),
  ];
  console.log(cells.join(' '));
}
const problems = runs.flatMap((r) => r.problems.map((p) => `${r.encoding} × ${r.exporters}: ${p}`));
if (problems.length > 0) console.log(`\nfirst errors:\n  ${problems.join('\n  ')}`);

// Every request carried new ids: each span answered 200 must be stored once and counted once.
const consistent = final.spans === spansAccepted && final.countedSpans === spansAccepted;
console.log(
  `\nspans accepted (200, warm-ups included) ${spansAccepted}, rows in spans ${final.spans}, executions' span_count ${final.countedSpans}: ${consistent ? 'consistent' : 'INCONSISTENT'}`,
);
const input: Record<Encoding, number> = {
  json: senders.reduce((sum, s) => sum + s.templates.json.bytes.length, 0) / senders.length / BATCH,
  protobuf: senders.reduce((sum, s) => sum + s.templates.protobuf.bytes.length, 0) / senders.length / BATCH,
};
const stored = final.bytes;
const perSpan = (bytes: number) => bytes / final.spans;
const storedPerSpan = perSpan(stored.spans + stored.spanSources);
console.log(`\nbytes per span (${final.spans} spans stored; database sizes after the runs, pg_total_relation_size: heap, TOAST, indexes)`);
console.log(
  `  stored: spans + span_sources   ${fixed(storedPerSpan).padStart(7)}   (spans heap ${fixed(perSpan(stored.spansHeap))}, TOAST ${fixed(perSpan(stored.spansToast))}, indexes ${fixed(perSpan(stored.spansIndexes))}, span_sources ${fixed(perSpan(stored.spanSources), 2)})`,
);
for (const index of final.indexes) console.log(`      index ${index.name.padEnd(34)} ${fixed(perSpan(index.bytes)).padStart(7)}`);
console.log(`  input: OTLP/JSON, uncompressed ${fixed(input.json).padStart(7)}   stored / input ${fixed(storedPerSpan / input.json, 2)}`);
console.log(`  input: OTLP protobuf           ${fixed(input.protobuf).padStart(7)}   stored / input ${fixed(storedPerSpan / input.protobuf, 2)}`);

console.log(
  `\ngateway process memory after a forced GC: before the runs rss ${fixed(memoryBefore.rssMb)} MiB heap ${fixed(memoryBefore.heapMb)} MiB; after rss ${fixed(final.rssMb)} MiB heap ${fixed(final.heapMb)} MiB; peak rss ${fixed(final.maxRssMb)} MiB`,
);

const of = (encoding: Encoding, exporters: number) => runs.filter((r) => r.encoding === encoding && r.exporters === exporters);
const mean = (items: Run[]) => items.reduce((sum, r) => sum + r.spansPerS, 0) / items.length;
const errors = runs.reduce((sum, r) => sum + r.errors, 0);
console.log('\ngoals of issue 10:');
const four = { protobuf: of('protobuf', 4), json: of('json', 4) };
if (four.protobuf.length > 0 && four.json.length > 0) {
  const met = mean(four.protobuf) >= 30_000 && mean(four.json) >= 30_000;
  console.log(
    `  30,000 spans/s with four exporters: ${met ? 'met' : 'NOT met'} (protobuf ${fixed(mean(four.protobuf), 0)}, JSON ${fixed(mean(four.json), 0)})`,
  );
}
const compared = [1, 2, 3, 4].filter((n) => of('protobuf', n).length > 0 && of('json', n).length > 0);
if (compared.length > 0) {
  const slower = compared.filter((n) => mean(of('protobuf', n)) < mean(of('json', n)));
  console.log(
    `  protobuf no slower than JSON: ${slower.length === 0 ? 'met' : `NOT met with ${slower.join(' and ')} exporter(s)`} (spans/s protobuf / JSON: ${compared.map((n) => `×${n} ${fixed(mean(of('protobuf', n)) / mean(of('json', n)), 2)}`).join(', ')})`,
  );
}
console.log(
  `  fewer bytes stored per span than OTLP/JSON input: ${storedPerSpan < input.json ? 'met' : 'NOT met'} (${fixed(storedPerSpan)} < ${fixed(input.json)})`,
);
console.log(`  errors (non-200, partial_success, failed requests) in all runs: ${errors}`);

for (const sender of senders) sender.agent.destroy();
await new Promise<void>((resolve) => {
  onClosed = resolve;
  toGateway({ type: 'close' });
});
if (PROFILE_DIR) console.log(`\nthe gateway's CPU profile is in ${PROFILE_DIR}`);
if (errors > 0 || !consistent) process.exitCode = 1;
