import crypto from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { HeaderMap, type ApolloServer } from '@apollo/server';
import type { GraphQLSchema } from 'graphql';
import type { Logger } from 'pino';
import { Authenticator } from '../auth/authenticate.js';
import { createJwtVerifier } from '../auth/jwt-verifier.js';
import { Authz } from '../authz/authz.js';
import { principalKey } from '../authz/principal.js';
import type { Config } from '../config.js';
import type { SecretBox } from '../crypto/secret-box.js';
import type { Db } from '../db/database.js';
import type { Cluster } from '../k8s/cluster.js';
import { pendingMigrations } from '../db/migrate.js';
import { UnauthenticatedError } from '../errors.js';
import { createApollo } from '../graphql/apollo.js';
import { composeMiddleware } from '../graphql/compose-middleware.js';
import { applyMiddleware } from 'graphql-middleware';
import {
  deadlineOf,
  HeavyOperationGate,
  type HeavyOperations,
  LimitCode,
  LimitError,
  limitResponseBody,
  mutationDeadlineMiddleware,
  operationTimeoutError,
  raceDeadline,
  ResponseBudget,
  responseBudgetMiddleware,
  Semaphore,
  withDeadline,
  withResponseBudget,
} from '../graphql/limits/index.js';
import type { GraphQLContext } from '../graphql/context.js';
import { createLoaders } from '../graphql/loaders.js';
import { authorization, buildSchema } from '../graphql/schema.js';
import { PayloadTooLargeError, readBody } from './read-body.js';
import { lingerOnUnreadBody } from './unread-body.js';
import { writeApolloResponse } from './write-apollo-response.js';
import { ARCHIVE_UPLOAD_PATH, handleArchiveUpload } from './upload-archive.js';
import { UploadSlots } from './upload-limits.js';
import { handleOtlpTraces, OTLP_TRACES_PATH } from '../ingest/otlp-traces.js';
import { handleHitlRequest, HITL_REQUESTS_PATH } from '../ingest/hitl-requests.js';
import { CODE_PATH, handleCodeDownload } from '../ingest/code-download.js';
import { InFlightDeploys } from '../modules/deployments/in-flight-deploys.js';
import { TrustedDocuments } from '../modules/trusted-documents/trusted-documents.js';
import { Metrics, type PoolStats } from '../observability/metrics.js';
import { ApolloPerPermissionSet } from '../authz/visible-schema/apollo-per-permission-set.js';
import { isExplorerRequest, serveExplorer } from './explorer.js';
import { clientAddress, createRateLimiter, type RateLimiter } from './rate-limit.js';
import { sharedNamespaceMissing } from '../k8s/messages.js';
import { sharedNamespacePresence } from '../k8s/namespace-status.js';
import { SchemaBuildBudget } from '../authz/visible-schema/schema-build-budget.js';

export interface GatewayDeps {
  config: Config;
  db: Db;
  secrets: SecretBox;
  logger: Logger;
  cluster: Cluster | null;
  /** The schema to serve; the gateway's own authorized schema unless a benchmark swaps it. */
  schema?: GraphQLSchema;
  /** The database pool's numbers, for /metrics (PostgreSQL only). */
  poolStats?: () => PoolStats;
}

function requestIdOf(req: IncomingMessage): string {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && /^[A-Za-z0-9._-]{8,64}$/.test(given) ? given : crypto.randomUUID();
}

const QUIET_PATHS = new Set(['/healthz', '/readyz', '/metrics']);

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify(body));
}

/** The HTTP face of Gatehouse: /graphql through Apollo, /healthz and /readyz, uploads and the automations' ingest endpoints. */
export class Gateway {
  readonly metrics: Metrics;
  private readonly deploys: InFlightDeploys;
  /** One Apollo Server per permission set, each with the schema that set can reach (src/authz/visible-schema). */
  private readonly servers: ApolloPerPermissionSet;
  private readonly authenticator: Authenticator;
  private readonly rateLimiter: RateLimiter;
  /** Archive uploads in progress in this process (issue 15 §2). */
  private readonly uploadSlots: UploadSlots;
  private readonly documents: TrustedDocuments;
  /** Reads of large pages in progress in the process (src/graphql/limits/response-budget.ts). */
  private readonly largePages: Semaphore;

  constructor(private readonly deps: GatewayDeps) {
    this.deploys = new InFlightDeploys(deps.config.k8s.deploysPerOrganization);
    const schema = deps.schema ?? buildSchema();
    const limited = composeMiddleware(schema, mutationDeadlineMiddleware(schema, deps.config.limits.operationTimeoutMs), responseBudgetMiddleware(schema));
    const timed = applyMiddleware(schema, limited);
    const { limits } = deps.config;
    this.largePages = new Semaphore(limits.largePageReads);
    // One gate for every permission set's server: turns are the process's, not a server's.
    const heavy: HeavyOperations<GraphQLContext> = {
      gate: new HeavyOperationGate(limits.heavyOperationsPerPrincipal, limits.heavyOperations, limits.heavyOperationSharePercent / 100),
      cost: limits.heavyOperationCost,
      keyOf: (context) => principalKey(context.authz.principal),
      deadlineOf: (context) => deadlineOf(context),
    };
    this.metrics = new Metrics({ ...(deps.poolStats ? { poolStats: deps.poolStats } : {}), logger: deps.logger });
    this.servers = new ApolloPerPermissionSet(
      timed,
      authorization().rules,
      (visible, documents) => createApollo(visible, deps.config, this.metrics, documents, heavy),
      new SchemaBuildBudget(deps.config.limits.schemaBuildsPerOrganizationPerMinute),
    );
    this.authenticator = new Authenticator(deps.db, createJwtVerifier(deps.config.auth), deps.logger, deps.config.authzInlineOrganizations);
    this.rateLimiter = createRateLimiter(deps.config.rateLimit, deps.logger, deps.config.ingest, deps.config.uploads);
    this.uploadSlots = new UploadSlots(deps.config.uploads);
    this.documents = new TrustedDocuments(deps.db, deps.config.trustedDocuments);
  }

  async start(): Promise<void> {
    await this.servers.start();
  }

  /** The Apollo Server for this request's permission set. */
  apolloFor(context: GraphQLContext): Promise<ApolloServer<GraphQLContext>> {
    return this.servers.serverFor(context.authz);
  }

  /** Builds a request's context: who is calling and what they may do, decided once. */
  async context(authorization: string | undefined, requestId: string): Promise<GraphQLContext> {
    const { db, secrets, config } = this.deps;
    const logger = this.deps.logger.child({ requestId });
    const authorized = await this.authenticator.authorize(authorization);
    let authz = Authz.anonymous();
    if (authorized) {
      const { principal } = authorized;
      authz = authorized.authz;
      const bound = principal.kind === 'user' ? principal.boundOrganizationId : principal.organizationId;
      if (bound !== undefined) await authz.ensure(bound);
      if (bound !== undefined && !authz.grant(bound)) {
        throw new UnauthenticatedError("This API token's owner is no longer a member of its organization; the token no longer works.");
      }
    }
    return {
      requestId,
      db,
      authz,
      loaders: createLoaders(db),
      secrets,
      config,
      logger,
      cluster: this.deps.cluster,
      metrics: this.metrics,
      deploys: this.deploys,
    };
  }

  readonly handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const requestId = requestIdOf(req);
    res.setHeader('x-request-id', requestId);
    lingerOnUnreadBody(req, res);
    const url = new URL(req.url ?? '/', 'http://gateway.invalid');
    // One access line per request, with its id; probes and scrapes would drown the rest.
    if (!QUIET_PATHS.has(url.pathname)) {
      const started = process.hrtime.bigint();
      res.once('finish', () => {
        const durationMs = Number(process.hrtime.bigint() - started) / 1e6;
        this.deps.logger.info(
          { requestId, method: req.method, path: url.pathname, status: res.statusCode, durationMs: Math.round(durationMs * 10) / 10 },
          'request',
        );
      });
    }
    try {
      if (url.pathname === '/healthz') return sendJson(res, 200, { status: 'ok' });
      if (url.pathname === '/readyz') return await this.ready(res);
      // With METRICS_PORT, /metrics is served there only (listenMetrics) and is a 404 here.
      if (url.pathname === '/metrics' && this.deps.config.metricsEnabled && this.deps.config.metricsPort === undefined) return await this.metrics.serve(res);
      if (isExplorerRequest(req, url)) return await serveExplorer(req, res, url, this.deps.config);
      if (url.pathname === '/graphql') return await this.graphql(req, res, url, requestId);
      if (url.pathname === ARCHIVE_UPLOAD_PATH) {
        const upload = { context: () => this.context(req.headers.authorization, requestId), requestId, rateLimiter: this.rateLimiter, slots: this.uploadSlots };
        return await handleArchiveUpload(req, res, url, upload);
      }
      if (url.pathname === HITL_REQUESTS_PATH) return await handleHitlRequest(req, res, this.deps.db, this.deps.logger.child({ requestId }));
      if (url.pathname === CODE_PATH) return await handleCodeDownload(req, res, this.deps.db, this.deps.logger.child({ requestId }));
      if (url.pathname === OTLP_TRACES_PATH) {
        const deps = {
          db: this.deps.db,
          config: this.deps.config.ingest,
          logger: this.deps.logger.child({ requestId }),
          rateLimiter: this.rateLimiter,
          metrics: this.metrics,
        };
        return await handleOtlpTraces(req, res, deps);
      }
      sendJson(res, 404, { error: 'NOT_FOUND', message: `No route ${url.pathname}; the API is at /graphql.` });
    } catch (error) {
      if (error instanceof PayloadTooLargeError)
        return sendJson(res, 413, { error: 'PAYLOAD_TOO_LARGE', message: error.message, limit: this.deps.config.limits.maxBodyBytes });
      this.deps.logger.error({ err: error, requestId }, 'request failed');
      if (!res.headersSent) sendJson(res, 500, { error: 'INTERNAL_SERVER_ERROR', requestId });
      else res.end();
    }
  };

  /**
   * Ready when the database answers, its migrations are current and, with a cluster configured,
   * the Kubernetes API answers: a replica that could not deploy is taken out of the Service
   * rather than failing deploys one by one. Each failure names what is wrong.
   */
  private async ready(res: ServerResponse): Promise<void> {
    try {
      const pending = await pendingMigrations(this.deps.db);
      if (pending.length > 0)
        return sendJson(res, 503, { status: 'migrations pending', pending, fix: 'run `gatehouse migrate` or restart a replica, which migrates at start' });
    } catch {
      return sendJson(res, 503, { status: 'database unreachable' });
    }
    const { cluster } = this.deps;
    if (!cluster) return sendJson(res, 200, { status: 'ready', kubernetes: 'not configured' });
    let version: string;
    try {
      version = await cluster.version();
    } catch (error) {
      return sendJson(res, 503, { status: 'kubernetes unreachable', detail: error instanceof Error ? error.message : String(error) });
    }
    // Every deploy of an organization without a namespace of its own goes there: without it the
    // gateway cannot deploy anything, and redeploying does not help until an operator creates it.
    const k8s = this.deps.config.k8s;
    if ((await sharedNamespacePresence(cluster, k8s)) === 'missing') {
      return sendJson(res, 503, { status: 'shared namespace missing', kubernetes: version, namespace: k8s.namespace, fix: sharedNamespaceMissing(k8s) });
    }
    return sendJson(res, 200, { status: 'ready', kubernetes: version });
  }

  private async graphql(req: IncomingMessage, res: ServerResponse, url: URL, requestId: string): Promise<void> {
    const headers = new HeaderMap();
    for (const [key, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
    }
    const { limits } = this.deps.config;
    const rate = await this.rateLimiter.consume({
      address: clientAddress(req, this.deps.config.rateLimit.trustedProxyHops),
      credential: headers.get('authorization'),
    });
    if (!rate.allowed) {
      const refusal = new LimitError(
        LimitCode.RATE_LIMITED,
        { name: rate.limit, max: rate.max },
        `Rate limit ${rate.limit}: at most ${rate.max} requests per ${rate.windowSeconds} s. Retry after ${rate.retryAfterSeconds} s.`,
        429,
      );
      return sendJson(res, 429, limitResponseBody(refusal, requestId), { 'retry-after': String(rate.retryAfterSeconds) });
    }
    let raw = '';
    try {
      raw = req.method === 'POST' ? await readBody(req, limits.maxBodyBytes) : '';
    } catch (error) {
      if (!(error instanceof PayloadTooLargeError)) throw error;
      const refusal = new LimitError(
        LimitCode.PAYLOAD_TOO_LARGE,
        { name: 'bodyBytes', max: limits.maxBodyBytes },
        `${error.message} Send a smaller document.`,
        413,
      );
      return sendJson(res, 413, limitResponseBody(refusal, requestId));
    }
    let body: unknown = raw;
    if (raw && (headers.get('content-type') ?? '').includes('application/json')) {
      try {
        body = JSON.parse(raw);
      } catch {
        return sendJson(res, 400, { errors: [{ message: 'The request body is not valid JSON.', extensions: { code: 'BAD_REQUEST' } }] });
      }
    }
    if (Array.isArray(body)) {
      const refusal = new LimitError(
        LimitCode.BATCHING_DISABLED,
        { name: 'batching', max: 1, actual: body.length },
        'Operation batching is off: send 1 operation per request, as a JSON object, not an array.',
      );
      return sendJson(res, 400, limitResponseBody(refusal, requestId));
    }
    const resolution = await this.documents.resolve(body, url.search);
    if (resolution.kind === 'refused') {
      return sendJson(res, resolution.status, { errors: [{ message: resolution.message, extensions: { code: resolution.code, requestId } }] });
    }
    // The timer starts before authentication: OPERATION_TIMEOUT_MS bounds the whole request.
    const deadline = Date.now() + limits.operationTimeoutMs;
    const budget = new ResponseBudget(limits.maxResponseBytes, this.largePages);
    const response = await raceDeadline(
      this.execute(req, resolution.search, headers, resolution.body, requestId, deadline, budget),
      limits.operationTimeoutMs,
      () => null,
    );
    if (response === null) return sendJson(res, 504, limitResponseBody(operationTimeoutError(limits.operationTimeoutMs), requestId));
    // Over MAX_RESPONSE_BYTES: the data gathered is dropped, whatever Apollo made of it.
    if (budget.exceeded) return sendJson(res, 400, limitResponseBody(budget.error(), requestId));
    await writeApolloResponse(res, response);
  }

  /**
   * The caller is known before Apollo parses anything, so that the operation is parsed, validated
   * and executed against the schema of the caller's permission set. A context that cannot be
   * built (a bad token) is reported by Apollo, as any context error.
   */
  private async execute(req: IncomingMessage, search: string, headers: HeaderMap, body: unknown, requestId: string, deadline: number, budget: ResponseBudget) {
    let context: GraphQLContext | undefined;
    let failure: unknown;
    try {
      context = withResponseBudget(withDeadline(await this.context(headers.get('authorization'), requestId), deadline), budget);
    } catch (error) {
      failure = error;
    }
    // Nothing is reachable without a principal, so nothing is parsed or validated for one: the
    // request is UNAUTHENTICATED whatever it asks, and no schema (not even its shape) is shown.
    if (context && !context.authz.principal) failure = new UnauthenticatedError();
    let apollo = this.servers.unauthenticated();
    if (context && !failure) {
      try {
        apollo = await this.servers.serverFor(context.authz);
      } catch (error) {
        // The schema-build budget: answered, like a context error, by the server that parses nothing.
        if (!(error instanceof LimitError)) throw error;
        failure = error;
      }
    }
    return apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method: req.method ?? 'GET', headers, search, body },
      context: async () => {
        if (failure !== undefined || !context) throw failure;
        return context;
      },
    });
  }

  listen(port: number, host: string): Promise<http.Server> {
    const server = http.createServer((req, res) => void this.handle(req, res));
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve(server));
    });
  }

  /**
   * METRICS_PORT: a server that answers GET /metrics and nothing else (404), on a port the
   * manifests keep out of the public Service, so that a scrape target is never an Internet one.
   */
  listenMetrics(port: number, host: string): Promise<http.Server> {
    const server = http.createServer((req, res) => {
      const { pathname } = new URL(req.url ?? '/', 'http://gateway.invalid');
      if (pathname === '/metrics' && (req.method === 'GET' || req.method === 'HEAD')) return void this.metrics.serve(res);
      sendJson(res, 404, { error: 'NOT_FOUND', message: `No route ${pathname} on the metrics port (METRICS_PORT); it serves /metrics only.` });
    });
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve(server));
    });
  }

  /** After the HTTP server has closed (src/main.ts): whatever is still deploying was cut short. */
  async stop(): Promise<void> {
    const interrupted = await this.deploys.interrupt(this.deps.db);
    if (interrupted > 0) this.deps.logger.warn({ interrupted }, 'shutdown: deploys still applying were recorded as FAILED (retryable)');
    await this.servers.stop();
    await this.rateLimiter.close();
  }
}
