/**
 * A server process of the benchmarks (bench/server-process.ts forks it and sends what to serve):
 * the full gateway (bench/bench-gateway.ts) or plain Apollo Server with the gateway's resolvers
 * (bench/plain-apollo.ts), on a database a benchmark seeded (bench/load-database.ts), on loopback.
 * It answers its own figures over the IPC channel: the SQL statements it ran and its memory.
 */
import './production-env.js';
import v8 from 'node:v8';
import vm from 'node:vm';
import type { DatabaseHandle } from '../src/db/connect.js';
import { startBenchGateway } from './bench-gateway.js';
import { openSharedDatabase } from './load-database.js';
import { startPlainApollo } from './plain-apollo.js';
import type { FromServer, ServerOptions, ServerStats, ToServer } from './server-process.js';

// A forced collection before each heap reading, so that the figure is what is retained.
v8.setFlagsFromString('--expose-gc');
const collect: unknown = vm.runInNewContext('gc');

// The resident set between two readings, sampled: its peak under load, apart from the start's.
let peakRss = 0;
setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage.rss())), 50).unref();

let statements = 0;
let database: DatabaseHandle | undefined;
let server: { url: string; close(): Promise<void> } | undefined;

function send(message: FromServer): void {
  if (process.connected) process.send?.(message);
}

async function start(options: ServerOptions): Promise<string> {
  database = openSharedDatabase(options.database, () => void statements++, options.copy);
  if (options.kind === 'gateway') {
    server = await startBenchGateway(database.db, options.env);
    return server.url;
  }
  // The baseline's requests carry an authorization decided once, here, by a gateway that then goes.
  const gateway = await startBenchGateway(database.db, options.env);
  const base = await gateway.gateway.context(options.authorization, 'bench-plain');
  await gateway.close();
  server = await startPlainApollo(base);
  return server.url;
}

function stats(): ServerStats {
  if (typeof collect === 'function') collect();
  const memory = process.memoryUsage();
  const peakRssMb = Math.max(peakRss, memory.rss) / 2 ** 20;
  peakRss = 0;
  return { statements, rssMb: memory.rss / 2 ** 20, heapMb: memory.heapUsed / 2 ** 20, peakRssMb, maxRssMb: process.resourceUsage().maxRSS / 1024 };
}

let closing: Promise<void> | undefined;
/** Stops serving and closes the database (a PGlite copy is deleted), once. */
function shutDown(): Promise<void> {
  closing ??= (async () => {
    await server?.close();
    await database?.close();
  })();
  return closing;
}

process.on('message', (message: ToServer) => {
  switch (message.type) {
    case 'start':
      start(message.options).then(
        (url) => send({ type: 'ready', url }),
        (error: unknown) => {
          send({ type: 'failed', error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
          void shutDown().finally(() => process.exit(1));
        },
      );
      return;
    case 'stats':
      send({ type: 'stats', id: message.id, stats: stats() });
      return;
    case 'close':
      void shutDown().then(() => process.send?.({ type: 'closed' } satisfies FromServer, undefined, {}, () => process.exit(0)));
      return;
    default: {
      const unknown: never = message;
      throw new Error(`unknown message ${JSON.stringify(unknown)}`);
    }
  }
});
// The benchmark went away without asking (an error, Ctrl-C): the database is closed all the same.
process.on('disconnect', () => void shutDown().then(() => process.exit(0)));
process.on('SIGINT', () => undefined);
