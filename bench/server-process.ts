import { fork } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DatabaseSpec } from './load-database.js';

/** What a server process serves (bench/bench-server.ts). */
export interface ServerOptions {
  /** The full gateway, or plain Apollo Server with the gateway's resolvers (bench/plain-apollo.ts). */
  kind: 'gateway' | 'plain';
  database: DatabaseSpec;
  /** Open a copy of a PGlite directory, so that another process may open the same data. */
  copy: boolean;
  /** Configuration of the gateway beside startBenchGateway's (bench/bench-gateway.ts). */
  env: Record<string, string>;
  /** plain: the caller whose authorization, decided once, every request of the baseline carries. */
  authorization?: string;
}

/** The server process's own figures. */
export interface ServerStats {
  /** SQL statements it ran since it started. */
  statements: number;
  /** Resident set now, and heap in use after a forced collection, MiB. */
  rssMb: number;
  heapMb: number;
  /** The largest resident set sampled (every 50 ms) since the previous reading, MiB. */
  peakRssMb: number;
  /** The largest resident set of the process so far, its start included, MiB. */
  maxRssMb: number;
}

export type ToServer = { type: 'start'; options: ServerOptions } | { type: 'stats'; id: number } | { type: 'close' };
export type FromServer =
  { type: 'ready'; url: string } | { type: 'failed'; error: string } | { type: 'stats'; id: number; stats: ServerStats } | { type: 'closed' };

export interface ServerProcess {
  url: string;
  pid: number;
  stats(): Promise<ServerStats>;
  close(): Promise<void>;
}

const here = path.dirname(fileURLToPath(import.meta.url));

/**
 * Forks a server process and waits until it listens. Each benchmark target in its own process
 * measures its memory alone, and keeps the load generator (this process) off its CPU.
 */
export async function startServerProcess(options: ServerOptions): Promise<ServerProcess> {
  // BENCH_CPU_PROF=<dir>: each server process writes a V8 CPU profile there when it closes.
  const profile = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
  const child = fork(path.join(here, 'bench-server.ts'), [], { execArgv: ['--import', 'tsx', ...profile], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const pending = new Map<number, (stats: ServerStats) => void>();
  let onReady: ((url: string) => void) | undefined;
  let onFailed: ((error: Error) => void) | undefined;
  let onClosed: (() => void) | undefined;
  child.on('message', (message: FromServer) => {
    if (message.type === 'ready') onReady?.(message.url);
    else if (message.type === 'failed') onFailed?.(new Error(`the ${options.kind} server process failed: ${message.error}`));
    else if (message.type === 'stats') {
      pending.get(message.id)?.(message.stats);
      pending.delete(message.id);
    } else onClosed?.();
  });
  let started = false;
  let closing = false;
  child.on('exit', (code) => {
    if (closing) return;
    if (!started) {
      onFailed?.(new Error(`the ${options.kind} server process exited with ${String(code)} before it listened`));
      return;
    }
    // Past its start, the benchmark cannot go on without it.
    console.error(`the ${options.kind} server process exited with ${String(code)}`);
    process.exit(1);
  });
  const send = (message: ToServer) => child.send(message);
  const url = await new Promise<string>((resolve, reject) => {
    onReady = resolve;
    onFailed = reject;
    send({ type: 'start', options });
  });
  started = true;
  let statsId = 0;
  return {
    url,
    pid: child.pid ?? -1,
    stats: () =>
      new Promise((resolve) => {
        const id = ++statsId;
        pending.set(id, resolve);
        send({ type: 'stats', id });
      }),
    close: () =>
      new Promise((resolve) => {
        closing = true;
        onClosed = resolve;
        send({ type: 'close' });
      }),
  };
}
