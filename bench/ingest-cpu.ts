/**
 * `npx tsx bench/ingest-cpu.ts`: the gateway's own CPU per span on the ingest path, without HTTP
 * or a database: decoding (JSON.parse or protobufjs), readTraceRequest, the per-span checks and
 * row encoding of fileSpans (prepareRequest) and the insert's JSON parameter (spanRowsJson), for
 * the bodies `npm run bench:ingest` sends (bench/ingest-spans.ts, 512 spans per request). The two
 * encodings take turns, round after round, in one process, so that a shared machine's load falls
 * on both alike; the minimum and median over the rounds are printed, and the GC pauses among them.
 *
 * BENCH_ROUNDS (default 8), BENCH_REQUESTS per round and encoding (default 100), BENCH_BATCH (512).
 */
import crypto from 'node:crypto';
import { PerformanceObserver } from 'node:perf_hooks';
import { prepareRequest } from '../src/ingest/file-spans.js';
import { decodeTraceRequest } from '../src/ingest/otlp-proto.js';
import { readTraceRequest } from '../src/ingest/otlp-request.js';
import { spanRowsJson } from '../src/modules/executions/spans.repository.js';
import { BodyTemplate, crewSpans, type Encoding } from './ingest-spans.js';

const BATCH = Number(process.env.BENCH_BATCH ?? 512);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 8);
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 100);
// The defaults of the gateway's caps (src/config.ts).
const LIMITS = { attributeValueLength: 4096, attributeCount: 128, eventCount: 128, linkCount: 128, spanBytes: 65_536, sourceBytes: 65_536 };
const ENCODINGS: Encoding[] = ['protobuf', 'json'];

const spans = crewSpans(crypto.randomUUID(), crypto.randomUUID(), BATCH);
// A few bodies with fresh ids each, gone through in turn.
const bodies = Object.fromEntries(
  ENCODINGS.map((encoding) => {
    const template = new BodyTemplate(encoding, spans);
    return [encoding, Array.from({ length: 8 }, () => template.next())];
  }),
) as Record<Encoding, Buffer[]>;

/** One request's work before the database, to the statement's parameter. */
function ingest(encoding: Encoding, body: Buffer): number {
  const message = encoding === 'protobuf' ? decodeTraceRequest(body) : (JSON.parse(body.toString('utf8')) as unknown);
  const request = readTraceRequest(message, encoding === 'protobuf' ? 'bytes' : 'hex', LIMITS);
  const prepared = prepareRequest(request.spans, request.rejected, LIMITS);
  if (prepared.rejected.length > 0 || prepared.prepared.length !== BATCH) throw new Error(`not every span was kept: ${JSON.stringify(prepared.rejected[0])}`);
  return spanRowsJson(prepared.prepared.map((p) => p.row)).length;
}

let gcMs = 0;
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) gcMs += entry.duration;
}).observe({ entryTypes: ['gc'] });

const runs: Record<Encoding, Array<{ us: number; gc: number }>> = { protobuf: [], json: [] };
for (let round = 0; round < ROUNDS; round++) {
  for (const encoding of ENCODINGS) {
    const list = bodies[encoding];
    for (let i = 0; i < 20; i++) ingest(encoding, list[i % list.length] as Buffer);
    const gcBefore = gcMs;
    const before = process.cpuUsage();
    for (let i = 0; i < REQUESTS; i++) ingest(encoding, list[i % list.length] as Buffer);
    const cpu = process.cpuUsage(before);
    // GC entries arrive after the work that caused them.
    await new Promise((resolve) => setImmediate(resolve));
    const cpuUs = cpu.user + cpu.system;
    runs[encoding].push({ us: cpuUs / (REQUESTS * BATCH), gc: ((gcMs - gcBefore) * 1000) / cpuUs });
  }
}

console.log(
  `gateway CPU per span before the database (decode, read, check, encode rows), ${BATCH} spans per request, ${ROUNDS} rounds of ${REQUESTS} requests`,
);
for (const encoding of ENCODINGS) {
  const sorted = [...runs[encoding]].sort((a, b) => a.us - b.us);
  const median = sorted[Math.floor(sorted.length / 2)];
  console.log(
    `  ${encoding.padEnd(8)} min ${sorted[0]?.us.toFixed(2)} µs, median ${median?.us.toFixed(2)} µs per span (GC ${((median?.gc ?? 0) * 100).toFixed(0)}% of CPU at the median)`,
  );
}
