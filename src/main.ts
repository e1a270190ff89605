import diagnosticsChannel from 'node:diagnostics_channel';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { DEV_JWT_SECRET_FILE, withDevJwtSecret } from './auth/dev-jwt-secret.js';
import { loadConfig } from './config.js';
import { Gateway } from './http/gateway.js';
import { schedulePruning } from './ingest/prune-traces.js';
import { openCluster } from './k8s/open-cluster.js';
import { WebhookWorker } from './modules/webhooks/index.js';
import { scheduleArchiveSweep } from './modules/archives/archive-retention.js';
import { createLogger } from './logger.js';
import { openRuntime } from './runtime.js';

async function main(): Promise<void> {
  const configured = loadConfig();
  const config = withDevJwtSecret(configured);
  const logger = createLogger(config.logLevel);
  if (configured.auth.jwtSecret) logger.warn('AUTH_JWT_SECRET is set: JWTs are checked with a shared secret. For development only.');
  else if (config.auth.jwtSecret)
    logger.info(`development: JWTs are checked with the secret in ${config.dataDir}/${DEV_JWT_SECRET_FILE}; \`npx gatehouse dev-token --email E\` signs one`);
  const { database, secrets } = await openRuntime(config, logger, 'the Gatehouse server');
  const kube = await openCluster(config.k8s);
  const cluster = kube?.cluster ?? null;
  logger.info(
    { kubernetes: kube?.source ?? 'none', namespace: config.k8s.namespace, rbacNamespaceIsolation: config.k8s.rbacNamespaceIsolation },
    kube ? 'kubernetes configured' : 'no kubernetes cluster configured: deploys are recorded, not applied',
  );
  const gateway = new Gateway({ config, db: database.db, secrets, logger, cluster, poolStats: database.poolStats });
  await gateway.start();
  const pruning = schedulePruning(database.db, config.ingest.retentionDays, config.ingest.pruneIntervalMinutes, logger);
  const archiveSweep = scheduleArchiveSweep(database.db, config.uploads.retentionHours, config.uploads.sweepIntervalMinutes, logger);
  // Every replica sends the webhook outbox; claims keep two from sending one delivery (README "Webhooks").
  const webhooks = new WebhookWorker({ db: database.db, secrets, config: config.webhooks, logger }).start();
  if (config.webhooks.allowPrivateTargets)
    logger.warn('WEBHOOK_ALLOW_PRIVATE_TARGETS is on: webhooks may be sent to private, loopback and link-local addresses.');
  const server = await gateway.listen(config.port, config.host);
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const where = database.dialect === 'pglite' ? `embedded PGlite in ${config.dataDir}` : 'PostgreSQL (DATABASE_URL)';
  logger.info({ port, database: database.dialect }, 'listening');
  // METRICS_PORT: /metrics on a port of its own, which the manifests keep out of the public Service.
  const metricsServer = config.metricsEnabled && config.metricsPort !== undefined ? await gateway.listenMetrics(config.metricsPort, config.host) : null;
  if (metricsServer) logger.info({ metricsPort: config.metricsPort }, 'metrics listening');
  const organizations = await database.db.selectFrom('organizations').select('id').limit(1).execute();
  process.stdout.write(
    `\nGatehouse is serving http://localhost:${port}/graphql on ${where}.\n` +
      (organizations.length === 0
        ? 'No organization exists yet. To get a token: stop the server (Ctrl-C), run\n' +
          '  npm run gatehouse -- org create --name "My org" --owner-email you@example.com\n' +
          'which prints the Owner\'s API token, then `npm start` again and send "Authorization: Bearer <token>".\n' +
          (database.dialect === 'pglite' ? '(The embedded database allows one process at a time, hence the stop.)\n' : '')
        : 'Send "Authorization: Bearer <token>"; `npm run gatehouse -- token create --help` issues tokens.\n'),
  );

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    // No new webhook claims from now on; the sends under way finish (within WEBHOOK_TIMEOUT_MS) before the pool closes.
    const webhooksStopped = webhooks.stop();
    // Stop accepting before saying so: once "shutting down" is logged, a new connection is refused.
    metricsServer?.close();
    metricsServer?.closeAllConnections();
    server.close(() => {
      void gateway
        .stop()
        .then(() => pruning.stop())
        .then(() => archiveSweep.stop())
        .then(() => webhooksStopped)
        .then(() => database.close())
        .then(
          () => process.exit(0),
          (error: unknown) => {
            logger.error({ err: error }, 'shutdown failed');
            process.exit(1);
          },
        );
    });
    logger.info({ signal }, 'shutting down');
    // A connection kept alive from before the signal could still carry a new request: refuse it
    // and close that connection, so that the client retries on another replica.
    server.removeAllListeners('request');
    server.on('request', (_req: IncomingMessage, res: ServerResponse) => {
      res.writeHead(503, { 'content-type': 'application/json; charset=utf-8', connection: 'close', 'retry-after': '1' });
      res.end(JSON.stringify({ error: 'SHUTTING_DOWN', message: 'This Gatehouse process is shutting down; send the request again.' }));
    });
    // Node closes idle connections here but leaves one busy with a request open after its answer,
    // for keepAliveTimeout: close each as soon as its answer is sent, so that the process exits then.
    diagnosticsChannel.subscribe('http.server.response.finish', (message: unknown) => {
      if (typeof message === 'object' && message !== null && 'server' in message && message.server === server) {
        setImmediate(() => server.closeIdleConnections());
      }
    });
    server.closeIdleConnections();
    // In-flight requests get the grace period to finish; then their connections are closed.
    setTimeout(() => server.closeAllConnections(), config.shutdownGraceMs).unref();
    // Work whose connection was closed may still hold a database transaction (a deploy waiting on
    // the Kubernetes API), and closing the pool waits for it. Exit before the kubelet's SIGKILL
    // (terminationGracePeriodSeconds is the grace period + 15 s): the transaction rolls back.
    setTimeout(() => {
      logger.error({ graceMs: config.shutdownGraceMs }, 'shutdown: work still running 10 s after the grace period; exiting, its transaction rolls back');
      process.exit(1);
    }, config.shutdownGraceMs + 10_000).unref();
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((error: unknown) => {
  process.stderr.write(`gatehouse: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
