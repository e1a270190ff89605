import http from 'node:http';
import autocannon from 'autocannon';

/**
 * One timed run against one target. Latencies in ms, of the 2xx answers; none (NaN) when no
 * answer came within the run (autocannon then drops the requests in flight).
 */
export interface LoadRun {
  rps: number;
  requests: number;
  mean: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
  /** What the failures were: a non-2xx answer's status (the awaited drain request's with its error code), or a request's error. */
  refusals: Record<string, number>;
  mismatches: number;
}

export interface LoadOptions {
  url: string;
  body: string;
  headers: Record<string, string>;
  connections: number;
  seconds: number;
  /** Every answer is compared with this verified body: another one counts as a mismatch. */
  expectBody?: string;
}

/** The value at quantile `q` (0–1) of `values`, nearest rank. */
export function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(sorted.length * q) - 1))] ?? Number.NaN;
}

/** min, median and max of the finite `values` (a run without an answer has no latency). */
export function spread(values: readonly number[]): { min: number; median: number; max: number } {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  const middle = sorted.length / 2;
  const median =
    sorted.length % 2 === 1 ? (sorted[Math.floor(middle)] ?? Number.NaN) : ((sorted[middle - 1] ?? Number.NaN) + (sorted[middle] ?? Number.NaN)) / 2;
  return { min: sorted[0] ?? Number.NaN, median, max: sorted.at(-1) ?? Number.NaN };
}

/**
 * One POST on a connection of its own, closed after the answer. fetch's pooled keep-alive
 * connections race the server's keep-alive timeout (5 s) after a slow request: reusing one the
 * server just closed fails with ECONNRESET.
 */
export function post(
  url: string,
  headers: Record<string, string>,
  body: string,
  /** A keep-alive agent for requests sent back to back (alternatingRun); none by default. */
  agent: http.Agent | false = false,
): Promise<{ status: number; text: string; ms: number }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const request = http.request(url, { method: 'POST', agent, headers: { ...headers, 'content-length': Buffer.byteLength(body) } }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8'), ms: performance.now() - started }));
      response.on('error', reject);
    });
    request.on('error', reject);
    request.end(body);
  });
}

/**
 * autocannon, closed loop (each connection sends its next request when the answer is in), in this
 * thread. Its own histograms keep whole milliseconds, too coarse for ratios of requests of a
 * few ms, so latencies are taken from its `response` event, which carries each one exactly.
 *
 * At the end of the run autocannon drops the requests in flight, which the server still works
 * through. So one more request follows, awaited: the next run starts on a server that is done
 * (PGlite answers one statement at a time), and a run too slow for a single answer within its
 * time gets the latency of one more request, on the idle server (`requests` stays 0, which says so).
 */
export async function loadRun(options: LoadOptions): Promise<LoadRun> {
  const latencies: number[] = [];
  const refusals: Record<string, number> = {};
  const refused = (key: string) => (refusals[key] = (refusals[key] ?? 0) + 1);
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: options.url,
        method: 'POST',
        headers: options.headers,
        body: options.body,
        connections: options.connections,
        duration: options.seconds,
        ...(options.expectBody === undefined ? {} : { expectBody: options.expectBody }),
      },
      (error: unknown, finished) => (error ? reject(error instanceof Error ? error : new Error(String(error))) : resolve(finished)),
    );
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      if (statusCode >= 200 && statusCode < 300) latencies.push(responseTime);
      else refused(String(statusCode));
    });
    instance.on('reqError', (error: Error & { code?: string }) => refused(`error ${error.code ?? error.message}`));
  });
  const send = async () => {
    const { status, text, ms } = await post(options.url, options.headers, options.body);
    const ok = status >= 200 && status < 300;
    const code = /"code":"([A-Z_]+)"/.exec(text)?.[1];
    if (!ok) refused(`${status}${code ? ` ${code}` : ''} (drain)`);
    return { ok, ms };
  };
  let drain = await send();
  if (latencies.length === 0 && drain.ok) {
    // The drain waited for the dropped request too: one more, on an idle server.
    drain = await send();
    if (drain.ok) latencies.push(drain.ms);
  }
  return {
    rps: result.requests.total / result.duration,
    requests: result.requests.total,
    mean: latencies.reduce((sum, ms) => sum + ms, 0) / latencies.length,
    p50: quantile(latencies, 0.5),
    p99: quantile(latencies, 0.99),
    // autocannon counts a timeout among its errors too.
    errors: result.errors,
    non2xx: result.non2xx + (drain.ok ? 0 : 1),
    refusals,
    mismatches: result.mismatches,
  };
}

/**
 * One request at a time, alternating between `targets` request by request for `seconds` (with
 * two: A B, B A, A B …, so that neither is always the one after the other), each target on a
 * keep-alive connection of its own. A noisy machine's slow spells then fall on every target
 * alike, where runs of seconds one after another give one target a spell the other missed:
 * ratios of the same pair ranged 0.91–1.32 over 3 s runs, on a cost of 1.04–1.07 measured in
 * process. Latencies are client-side, from the request's write to the answer's end.
 */
export async function alternatingRun(targets: readonly LoadOptions[], seconds: number): Promise<LoadRun[]> {
  interface Side {
    options: LoadOptions;
    agent: http.Agent;
    latencies: number[];
    refusals: Record<string, number>;
    errors: number;
    non2xx: number;
    mismatches: number;
  }
  const sides = targets.map((options): Side => ({
    options,
    agent: new http.Agent({ keepAlive: true, maxSockets: 1 }),
    latencies: [],
    refusals: {},
    errors: 0,
    non2xx: 0,
    mismatches: 0,
  }));
  const once = async (side: Side) => {
    const { url, headers, body, expectBody } = side.options;
    try {
      const { status, text, ms } = await post(url, headers, body, side.agent);
      if (status < 200 || status >= 300) {
        side.non2xx++;
        side.refusals[String(status)] = (side.refusals[String(status)] ?? 0) + 1;
      } else if (expectBody !== undefined && text !== expectBody) side.mismatches++;
      else side.latencies.push(ms);
    } catch (error) {
      side.errors++;
      const key = `error ${error instanceof Error ? ((error as Error & { code?: string }).code ?? error.message) : String(error)}`;
      side.refusals[key] = (side.refusals[key] ?? 0) + 1;
    }
  };
  const deadline = performance.now() + seconds * 1000;
  for (let turn = 0; performance.now() < deadline; turn++) {
    const order = turn % 2 === 0 ? sides : [...sides].reverse();
    for (const side of order) await once(side);
  }
  for (const side of sides) side.agent.destroy();
  return sides.map((side) => ({
    rps: side.latencies.length / seconds,
    requests: side.latencies.length + side.non2xx + side.mismatches,
    mean: side.latencies.reduce((sum, ms) => sum + ms, 0) / side.latencies.length,
    p50: quantile(side.latencies, 0.5),
    p99: quantile(side.latencies, 0.99),
    errors: side.errors,
    non2xx: side.non2xx,
    refusals: side.refusals,
    mismatches: side.mismatches,
  }));
}
