import path from 'node:path';

/**
 * Every setting Gatehouse reads, parsed once at start. The README's configuration table lists the
 * same names; a wrong value stops the process with a message that names the variable.
 */
export interface Config {
  nodeEnv: 'development' | 'production' | 'test';
  host: string;
  port: number;
  /** PostgreSQL through pg when set; embedded PGlite under `dataDir` otherwise. */
  databaseUrl: string | undefined;
  /**
   * The role that owns the schema and runs migrations (README "Audit log"); unset: DATABASE_URL's
   * role does both. When the two are different roles, migrating grants DATABASE_URL's role what
   * the gateway needs and no more: it can only insert into and read the audit log.
   */
  migrationDatabaseUrl: string | undefined;
  databasePoolMax: number;
  /** Connections kept open when idle (DATABASE_POOL_MIN). */
  databasePoolMin: number;
  dataDir: string;
  /** 32 bytes for AES-256-GCM, base64 or hex. Unset: a key generated once under `dataDir`. */
  secretKey: string | undefined;
  auth: {
    jwksUrl: string | undefined;
    jwtIssuer: string | undefined;
    jwtAudience: string | undefined;
    /** Development only: HS256 shared secret. */
    jwtSecret: string | undefined;
  };
  /**
   * A user in at most this many organizations gets every organization's grant with the request's
   * statement; above it, a summary, and each organization's grant when the request touches it
   * (src/authz/authorize-request.ts). 0 reads every grant on demand (tests prove no check misses it).
   */
  authzInlineOrganizations: number;
  maxPageSize: number;
  logLevel: string;
  /** How long SIGTERM waits for in-flight requests before closing their connections. */
  shutdownGraceMs: number;
  k8s: K8sConfig;
  /** Largest zip archive accepted by the upload endpoint. */
  zipMaxBytes: number;
  /** What an uploaded archive may hold once inflated (src/modules/archives/inspect-archive.ts). */
  zipMaxEntries: number;
  zipMaxUncompressedBytes: number;
  /** Inflated size over compressed size, per entry and over the whole archive. */
  zipMaxRatio: number;
  /** What `POST /v1/traces` accepts and keeps (SPEC §7, README "Traces"). */
  ingest: IngestConfig;
  /** Limits of the /graphql endpoint (README "Limits", src/graphql/limits). */
  limits: LimitsConfig;
  /** The offline API explorer at /explorer (and GET /graphql from a browser); off in production unless EXPLORER_ENABLED=true. */
  explorerEnabled: boolean;
  /** Prometheus text at /metrics. */
  metricsEnabled: boolean;
  /**
   * When set, /metrics is served on this port only (all paths but /metrics answer 404 there) and
   * the main port answers 404 for it, so that the public Service never exposes the metrics.
   */
  metricsPort: number | undefined;
  rateLimit: RateLimitConfig;
  /**
   * `enforce`: only operations registered with `gatehouse documents register` run (by hash or by
   * identical text); `off`: any operation, with Apollo's automatic persisted queries.
   */
  trustedDocuments: 'off' | 'enforce';
  /**
   * `authenticated`: any caller with a token may introspect the schema its permission set can
   * reach (the explorer and codegen need it, in production too); `off`: nobody may. A request
   * without a token is refused before anything is parsed either way.
   */
  introspection: 'authenticated' | 'off';
  /** Outgoing webhooks (README "Webhooks", src/modules/webhooks). */
  webhooks: WebhookConfig;
  /** What one organization and one credential may upload, and how long unused archives are kept (README "Uploading a zip archive"). */
  uploads: UploadConfig;
}

/**
 * Issue 15 §2: uploads bounded in rate, in concurrency, in what an organization stores, and in
 * how long an archive no deployment uses is kept. Rates are shared through Redis like the API's;
 * concurrency is counted per process, because it bounds this process's memory.
 */
export interface UploadConfig {
  /** Uploads per window per credential and per organization; 0 turns one off. */
  ratePerToken: number;
  ratePerOrganization: number;
  rateWindowSeconds: number;
  /** Uploads in progress at once in this process: per credential, per organization, in all. */
  concurrentPerToken: number;
  concurrentPerOrganization: number;
  concurrent: number;
  /** Bytes of archives one organization may store; 0: no quota. */
  quotaBytes: number;
  /** Archives no deployment references are deleted this long after upload; 0 keeps them. */
  retentionHours: number;
  /** How often the server sweeps them; 0 runs no sweep in this process. */
  sweepIntervalMinutes: number;
}

function uploadConfig(env: NodeJS.ProcessEnv): UploadConfig {
  return {
    // A developer iterating on a zip deploy uploads about once a minute at most, and CI once per
    // pipeline: 20 per 10 minutes per credential is twice the first; an organization gets three
    // such credentials' worth. Each upload may cost a second of CPU (inflating up to
    // ZIP_MAX_UNCOMPRESSED_BYTES to inspect it) and ZIP_MAX_BYTES of storage.
    ratePerToken: integer(env, 'UPLOAD_RATE_LIMIT_PER_TOKEN', 20, 0, 1_000_000),
    ratePerOrganization: integer(env, 'UPLOAD_RATE_LIMIT_PER_ORGANIZATION', 60, 0, 1_000_000),
    rateWindowSeconds: integer(env, 'UPLOAD_RATE_LIMIT_WINDOW_SECONDS', 600, 1, 86_400),
    // An upload holds its body in memory until it is stored (src/http/upload-archive.ts), so the
    // process-wide cap bounds that memory: UPLOAD_CONCURRENCY × ZIP_MAX_BYTES, 4 × 20 MiB = 80 MiB
    // (the driver copies a body once more while it is sent), well within the 512Mi of the
    // manifests. One client needs one upload at a time, two with a retry overlapping; one
    // organization may not take every slot of a replica.
    concurrentPerToken: integer(env, 'UPLOAD_CONCURRENCY_PER_TOKEN', 2, 1, 1_000),
    concurrentPerOrganization: integer(env, 'UPLOAD_CONCURRENCY_PER_ORGANIZATION', 3, 1, 1_000),
    concurrent: integer(env, 'UPLOAD_CONCURRENCY', 4, 1, 1_000),
    // 1 GiB: 50 archives at ZIP_MAX_BYTES, and hundreds to thousands of versions of a project
    // zipped without its dependencies (100 KB to 2 MB).
    quotaBytes: integer(env, 'ARCHIVE_QUOTA_BYTES', 1024 * 1024 * 1024, 0, Number.MAX_SAFE_INTEGER),
    // An archive is uploaded to be deployed right after; a day covers a deploy that failed and is
    // retried the next morning.
    retentionHours: integer(env, 'ARCHIVE_RETENTION_HOURS', 24, 0, 87_600),
    sweepIntervalMinutes: integer(env, 'ARCHIVE_SWEEP_INTERVAL_MINUTES', 60, 0, 10_080),
  };
}

/**
 * Outgoing webhooks: where they may go (server-side request forgery) and how the outbox worker
 * sends and retries them.
 */
export interface WebhookConfig {
  /** Targets in private, loopback, link-local, unique-local or unspecified ranges are refused unless this is on. */
  allowPrivateTargets: boolean;
  /** http:// targets; on by default in development only. */
  allowHttp: boolean;
  /** How often each replica's worker looks for due deliveries; 0 runs no worker in this process. */
  workerIntervalMs: number;
  /** Deliveries one replica sends at once. */
  concurrency: number;
  /** Deliveries of one endpoint one replica sends at once, so that a slow receiver holds only these slots. */
  perEndpointConcurrency: number;
  /** A receiver that has not answered by then has failed this attempt. */
  requestTimeoutMs: number;
  /** First retry delay; each failed attempt doubles it, up to retryMaxDelayMs, with jitter. */
  retryBaseMs: number;
  retryMaxDelayMs: number;
  /** A delivery is retried until this long after it was written (or replayed), then FAILED. */
  retryWindowSeconds: number;
  /** An endpoint whose attempts have all failed, at least this many in a row … */
  disableAfterFailures: number;
  /** … for at least this long, is disabled until someone enables it again. */
  disableAfterHours: number;
}

function webhookConfig(env: NodeJS.ProcessEnv, nodeEnv: Config['nodeEnv']): WebhookConfig {
  const config: WebhookConfig = {
    allowPrivateTargets: flag(env, 'WEBHOOK_ALLOW_PRIVATE_TARGETS', false),
    allowHttp: flag(env, 'WEBHOOK_ALLOW_HTTP', nodeEnv === 'development'),
    workerIntervalMs: integer(env, 'WEBHOOK_WORKER_INTERVAL_MS', 1_000, 0, 3_600_000),
    concurrency: integer(env, 'WEBHOOK_CONCURRENCY', 16, 1, 1_000),
    perEndpointConcurrency: integer(env, 'WEBHOOK_ENDPOINT_CONCURRENCY', 2, 1, 1_000),
    requestTimeoutMs: integer(env, 'WEBHOOK_TIMEOUT_MS', 10_000, 100, 120_000),
    retryBaseMs: integer(env, 'WEBHOOK_RETRY_BASE_MS', 30_000, 0, 3_600_000),
    retryMaxDelayMs: integer(env, 'WEBHOOK_RETRY_MAX_DELAY_MS', 3_600_000, 0, 86_400_000),
    retryWindowSeconds: integer(env, 'WEBHOOK_RETRY_WINDOW_SECONDS', 86_400, 0, 604_800),
    disableAfterFailures: integer(env, 'WEBHOOK_DISABLE_AFTER_FAILURES', 10, 1, 100_000),
    disableAfterHours: integer(env, 'WEBHOOK_DISABLE_AFTER_HOURS', 24, 0, 720),
  };
  if (config.retryMaxDelayMs < config.retryBaseMs) {
    throw new ConfigError(`WEBHOOK_RETRY_MAX_DELAY_MS (${config.retryMaxDelayMs}) must be at least WEBHOOK_RETRY_BASE_MS (${config.retryBaseMs}).`);
  }
  return config;
}

/** Requests per window, per API token or JWT and per client address; 0 turns one off (README "Rate limits"). */
export interface RateLimitConfig {
  perToken: number;
  perAddress: number;
  windowSeconds: number;
  /** Shared counters across replicas; unset: counted in this process only. */
  redisUrl: string | undefined;
  /** Proxies in front of the gateway whose X-Forwarded-For entry is trusted; 0 uses the socket's address. */
  trustedProxyHops: number;
  /** Start of every Redis key; separate deployments (or test runs) sharing one Redis use separate prefixes. */
  redisKeyPrefix: string;
}

function rateLimitConfig(env: NodeJS.ProcessEnv): RateLimitConfig {
  return {
    perToken: integer(env, 'RATE_LIMIT_PER_TOKEN', 600, 0, 10_000_000),
    perAddress: integer(env, 'RATE_LIMIT_PER_ADDRESS', 1_200, 0, 10_000_000),
    windowSeconds: integer(env, 'RATE_LIMIT_WINDOW_SECONDS', 60, 1, 86_400),
    redisUrl: optional(env, 'REDIS_URL'),
    trustedProxyHops: integer(env, 'TRUSTED_PROXY_HOPS', 0, 0, 10),
    redisKeyPrefix: optional(env, 'RATE_LIMIT_REDIS_PREFIX') ?? 'gatehouse:rl:',
  };
}

/**
 * The bounds of SPEC §7 on what a runtime may report. Together with MAX_PAGE_SIZE and the query
 * cost they bound the largest read of traces (README "Traces": the worst case in bytes).
 */
export interface IngestConfig {
  /** Largest export body, before and after gzip. */
  maxBytes: number;
  maxSpansPerRequest: number;
  /** OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT semantics: longer strings and byte values are cut. */
  attributeValueLength: number;
  /** OTEL_ATTRIBUTE_COUNT_LIMIT semantics, per span, event, link, resource and scope: the rest dropped and counted. */
  attributeCount: number;
  eventCount: number;
  linkCount: number;
  /** A span whose name, status, attributes, events and links take more is rejected. */
  spanBytes: number;
  /** A resource and scope that take more reject their spans. */
  sourceBytes: number;
  /** Spans per deployment per window; 0 turns the limit off. */
  rateLimitSpans: number;
  rateLimitWindowSeconds: number;
  /** Traces of executions started longer ago are deleted; 0 keeps them forever. */
  retentionDays: number;
  /** How often the server prunes; 0 leaves it to `gatehouse traces prune`. */
  pruneIntervalMinutes: number;
}

function ingestConfig(env: NodeJS.ProcessEnv): IngestConfig {
  return {
    maxBytes: integer(env, 'OTLP_MAX_BYTES', 4 * 1024 * 1024, 1024, 256 * 1024 * 1024),
    maxSpansPerRequest: integer(env, 'OTLP_MAX_SPANS_PER_REQUEST', 8_192, 1, 1_000_000),
    attributeValueLength: integer(env, 'OTLP_ATTRIBUTE_VALUE_LENGTH_LIMIT', 4_096, 36, 1_048_576), // 36: gatehouse.execution.id (a UUID) must survive the cut
    attributeCount: integer(env, 'OTLP_ATTRIBUTE_COUNT_LIMIT', 128, 1, 10_000),
    eventCount: integer(env, 'OTLP_SPAN_EVENT_COUNT_LIMIT', 128, 0, 10_000),
    linkCount: integer(env, 'OTLP_SPAN_LINK_COUNT_LIMIT', 128, 0, 10_000),
    spanBytes: integer(env, 'OTLP_SPAN_MAX_BYTES', 65_536, 1_024, 16 * 1024 * 1024),
    sourceBytes: integer(env, 'OTLP_SOURCE_MAX_BYTES', 16_384, 1_024, 16 * 1024 * 1024),
    rateLimitSpans: integer(env, 'OTLP_RATE_LIMIT_SPANS', 120_000, 0, 1_000_000_000),
    rateLimitWindowSeconds: integer(env, 'OTLP_RATE_LIMIT_WINDOW_SECONDS', 60, 1, 86_400),
    retentionDays: integer(env, 'TRACE_RETENTION_DAYS', 30, 0, 36_500),
    pruneIntervalMinutes: integer(env, 'TRACE_PRUNE_INTERVAL_MINUTES', 60, 0, 10_080),
  };
}

function flag(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const raw = optional(env, name);
  if (raw === undefined) return fallback;
  if (raw !== 'true' && raw !== 'false') throw new ConfigError(`${name} must be true or false; got ${JSON.stringify(raw)}.`);
  return raw === 'true';
}

/** Each limit refuses a request with a 4xx whose `extensions.code` names it (README "Limits"). */
export interface LimitsConfig {
  /** Deepest field nesting of an operation, fragments expanded. */
  maxDepth: number;
  /** Aliased fields of an operation, fragments expanded, `__typename` included. */
  maxAliases: number;
  /** Directives of an operation, fragments expanded. */
  maxDirectives: number;
  /** Lexical tokens of a document (graphql-js `parse` option `maxTokens`). */
  maxTokens: number;
  /**
   * Cost (src/graphql/limits/operation-cost.ts): 1 per object, large values their `@cost`, lists
   * multiplied by their `@listSize` (a connection by `first`, 20 without it).
   */
  maxCost: number;
  /** Largest raw /graphql request body. */
  maxBodyBytes: number;
  /** How long an operation may run before the client gets OPERATION_TIMEOUT. */
  operationTimeoutMs: number;
  /** Bytes a response may carry in its large fields (src/graphql/limits/response-budget.ts). */
  maxResponseBytes: number;
  /**
   * What one organization can add to the permission-set space (issue 15 §3): each custom role,
   * and each service account on it, can be a schema of its own in the gateway's cache.
   */
  maxCustomRolesPerOrganization: number;
  maxServiceAccountsPerOrganization: number;
  /** Permission-set schemas a process builds per minute for principals of one organization (cache misses). */
  schemaBuildsPerOrganizationPerMinute: number;
  /** An operation of this cost or more is heavy: it waits for one of the turns below. */
  heavyOperationCost: number;
  heavyOperationsPerPrincipal: number;
  heavyOperations: number;
  /** Percent of the time one principal's heavy operations may take (src/graphql/limits/heavy-operations.ts). */
  heavyOperationSharePercent: number;
  /** Pages of large rows (span attributes) read from the database at once in the process. */
  largePageReads: number;
}

function limitsConfig(env: NodeJS.ProcessEnv): LimitsConfig {
  return {
    // The deepest screens nest 7 (test/limits/screens.test.ts): 8 leaves one level. Spans nested
    // under a page of runs (9) would be refused for their cost anyway; a run's spans are their own query.
    maxDepth: integer(env, 'MAX_QUERY_DEPTH', 8, 1, 100),
    maxAliases: integer(env, 'MAX_QUERY_ALIASES', 15, 0, 10_000),
    maxDirectives: integer(env, 'MAX_QUERY_DIRECTIVES', 50, 0, 10_000),
    maxTokens: integer(env, 'MAX_QUERY_TOKENS', 1_000, 100, 1_000_000),
    // The heaviest screen, one run's spans with their events at first: 50, costs 8,547: 12,000
    // admits it with 40% to spare, and keeps the largest admitted read near 34 MiB (README "Limits").
    maxCost: integer(env, 'MAX_QUERY_COST', 12_000, 1, 100_000_000),
    maxBodyBytes: integer(env, 'MAX_BODY_BYTES', 1_048_576, 1_024, 64 * 1024 * 1024),
    operationTimeoutMs: integer(env, 'OPERATION_TIMEOUT_MS', 30_000, 1, 600_000),
    // The screens' large fields come to well under 1 MiB on real data (a run's 50 spans with their
    // attributes). 8 MiB is ten times more, and keeps ten such reads at once, with the JavaScript
    // objects behind them (several times the JSON), within the 512Mi the manifests give.
    maxResponseBytes: integer(env, 'MAX_RESPONSE_BYTES', 8 * 1024 * 1024, 1024, 1024 * 1024 * 1024),
    // Role templates give four roles and most organizations add a handful; 50 leaves room for a
    // role per team, while 50 sets (about 0.2 MiB each with their share of the document cache) are
    // well within the cache's bound.
    maxCustomRolesPerOrganization: integer(env, 'MAX_CUSTOM_ROLES_PER_ORGANIZATION', 50, 1, 10_000),
    maxServiceAccountsPerOrganization: integer(env, 'MAX_SERVICE_ACCOUNTS_PER_ORGANIZATION', 200, 1, 100_000),
    // A role change gives its members one new set (per kind of principal); 30 builds a minute, 5 per
    // 10 s, let an organization with its 50 roles in use warm up in two minutes. At 60, six rotating
    // organizations took another tenant's p99 to 1.39-1.52x (bench:schema-cache); without, 2.23x.
    schemaBuildsPerOrganizationPerMinute: integer(env, 'SCHEMA_BUILDS_PER_ORGANIZATION_PER_MINUTE', 30, 0, 100_000),
    // Most screens cost a few hundred (README "Screens and defaults"); a page of runs (1,210), a
    // run's spans (8,547) and anything heavier take turns, two per principal and four in the
    // process. Ten worst-case reads at once then hold about four reads' memory and leave the
    // thread to other tenants' small queries (bench/response-memory.ts).
    heavyOperationCost: integer(env, 'HEAVY_OPERATION_COST', 1_000, 1, 100_000_000),
    heavyOperationsPerPrincipal: integer(env, 'HEAVY_OPERATIONS_PER_PRINCIPAL', 2, 1, 10_000),
    heavyOperations: integer(env, 'HEAVY_OPERATIONS', 4, 1, 10_000),
    // Turns bound memory, not time: one principal's ten worst-case reads, queued, kept the thread
    // busy back to back, and another tenant's p99 went to 4.6-8.5x its baseline
    // (bench/response-memory.ts). A quarter of the time leaves three quarters to everyone else.
    heavyOperationSharePercent: integer(env, 'HEAVY_OPERATION_SHARE_PERCENT', 25, 1, 100),
    // A page of 100 spans at the caps is 6.4 MiB read from the database: one at a time leaves the
    // rest of the pool to small queries, and lets a spent response budget stop the pages after.
    // One, not two: with two, another tenant's p99 under ten worst-case reads was 3.6-5.2x its
    // baseline; with one, 1.5-2.8x (bench/response-memory.ts, PostgreSQL, 2 cores). The pod asks
    // for a quarter of a core: two such reads at once only queue behind each other there.
    largePageReads: integer(env, 'LARGE_PAGE_READS', 1, 1, 10_000),
  };
}

/** SPEC §5 settings; the names are those of the Helm values in the seed. */
export interface K8sConfig {
  /** The shared namespace; isolated organizations get `{namespace}-org-{id}`. */
  namespace: string;
  /** `rbac.namespaceIsolation`: true, the gateway creates namespaces; false, it verifies them. */
  rbacNamespaceIsolation: boolean;
  /** Image pull secret in the shared namespace, copied into each organization namespace. */
  registrySecretName: string | undefined;
  runnerImage: string;
  /** Where the client configuration comes from; `auto` picks in-cluster, then KUBECONFIG or ~/.kube/config. */
  configSource: 'auto' | 'in-cluster' | 'kubeconfig' | 'off';
  requestTimeoutMs: number;
  /**
   * How long a deploy that moves an automation into another namespace waits for the new version to
   * be ready before it removes the old one (README "Running on Kubernetes", namespace isolation).
   */
  rolloutTimeoutMs: number;
  /**
   * Deploys of one organization applied at once by one gateway process; the others wait their turn
   * in memory (PENDING), holding no database connection, so one organization's slow or hung
   * cluster calls cannot take the pool or the API server from another.
   */
  deploysPerOrganization: number;
  /** Name of the gateway's own ServiceAccount, for messages and manifests. */
  serviceAccountName: string;
  /** How automation pods reach the gateway (OTLP traces, human-in-the-loop requests). */
  ingestBaseUrl: string;
  /**
   * Where an answered human-in-the-loop request is POSTed: the automation's in-cluster Service,
   * with {automationId}, {namespace}, {organizationId} and {requestId} filled in.
   */
  hitlForwardUrlTemplate: string;
  /** A forward without a response by then is recorded as FAILED (and can be retried). */
  hitlForwardTimeoutMs: number;
  /**
   * Where runAutomation sends the kickoff: the automation's in-cluster Service (src/k8s/manifests.ts),
   * with {automationId}, {namespace} and {organizationId} filled in.
   */
  runnerUrlTemplate: string;
  /** A kickoff without a response by then leaves the execution FAILED. */
  runnerTimeoutMs: number;
  /** `gatehouse manifests`: the gateway's own Deployment (replicas and image). */
  gatewayReplicas: number;
  gatewayImage: string;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
// The longest derived name is `{namespace}-org-2147483647`, 15 characters more than the base.
const MAX_BASE_NAMESPACE = 63 - '-org-2147483647'.length;

function k8sConfig(env: NodeJS.ProcessEnv): K8sConfig {
  const namespace = optional(env, 'K8S_NAMESPACE') ?? 'crewai';
  if (!DNS_LABEL.test(namespace) || namespace.length > MAX_BASE_NAMESPACE) {
    throw new ConfigError(
      `K8S_NAMESPACE must be a DNS-1123 label (lower-case letters, digits and '-', starting and ending alphanumeric) of at most ${MAX_BASE_NAMESPACE} characters, so that "${namespace}-org-<id>" stays a valid namespace name; got ${JSON.stringify(namespace)}.`,
    );
  }
  const isolation = optional(env, 'RBAC_NAMESPACE_ISOLATION') ?? 'true';
  if (isolation !== 'true' && isolation !== 'false') throw new ConfigError(`RBAC_NAMESPACE_ISOLATION must be true or false; got ${JSON.stringify(isolation)}.`);
  const source = optional(env, 'KUBE_CONFIG_SOURCE') ?? 'auto';
  if (source !== 'auto' && source !== 'in-cluster' && source !== 'kubeconfig' && source !== 'off') {
    throw new ConfigError(`KUBE_CONFIG_SOURCE must be auto, in-cluster, kubeconfig or off; got ${JSON.stringify(source)}.`);
  }
  const registrySecretName = optional(env, 'REGISTRY_SECRET_NAME');
  if (registrySecretName !== undefined && !/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(registrySecretName)) {
    throw new ConfigError(`REGISTRY_SECRET_NAME must be a valid Kubernetes secret name; got ${JSON.stringify(registrySecretName)}.`);
  }
  return {
    namespace,
    rbacNamespaceIsolation: isolation === 'true',
    registrySecretName,
    runnerImage: optional(env, 'RUNNER_IMAGE') ?? 'ghcr.io/gatehouse/automation-runner:latest',
    configSource: source,
    requestTimeoutMs: integer(env, 'K8S_REQUEST_TIMEOUT_MS', 10_000, 100, 300_000),
    rolloutTimeoutMs: integer(env, 'K8S_ROLLOUT_TIMEOUT_MS', 300_000, 1_000, 3_600_000),
    deploysPerOrganization: integer(env, 'K8S_DEPLOYS_PER_ORGANIZATION', 4, 1, 100),
    serviceAccountName: optional(env, 'K8S_SERVICE_ACCOUNT') ?? 'gatehouse',
    ingestBaseUrl: (optional(env, 'INGEST_BASE_URL') ?? `http://gatehouse.${namespace}.svc.cluster.local:4000`).replace(/\/+$/, ''),
    hitlForwardUrlTemplate: urlTemplate(env, 'HITL_FORWARD_URL_TEMPLATE', HITL_FORWARD_URL_DEFAULT, HITL_FORWARD_PLACEHOLDERS),
    hitlForwardTimeoutMs: integer(env, 'HITL_FORWARD_TIMEOUT_MS', 10_000, 100, 120_000),
    runnerUrlTemplate: urlTemplate(env, 'RUNNER_URL_TEMPLATE', RUNNER_URL_DEFAULT, RUNNER_URL_PLACEHOLDERS),
    runnerTimeoutMs: integer(env, 'RUNNER_TIMEOUT_MS', 10_000, 100, 120_000),
    gatewayReplicas: integer(env, 'GATEHOUSE_REPLICAS', 2, 1, 100),
    gatewayImage: optional(env, 'GATEHOUSE_IMAGE') ?? 'ghcr.io/gatehouse/gatehouse:latest',
  };
}

export class ConfigError extends Error {}

const HITL_FORWARD_URL_DEFAULT = 'http://automation-{automationId}.{namespace}.svc.cluster.local:8080/hitl/{requestId}';
export const HITL_FORWARD_PLACEHOLDERS = ['automationId', 'namespace', 'organizationId', 'requestId'] as const;
const RUNNER_URL_DEFAULT = 'http://automation-{automationId}.{namespace}.svc.cluster.local:8080/kickoff';
export const RUNNER_URL_PLACEHOLDERS = ['automationId', 'namespace', 'organizationId'] as const;

/** An http(s) URL with `{name}` placeholders; an unknown placeholder is refused at start, not at first use. */
function urlTemplate(env: NodeJS.ProcessEnv, name: string, fallback: string, placeholders: readonly string[]): string {
  const template = optional(env, name) ?? fallback;
  const unknown = [...template.matchAll(/\{([^}]*)\}/g)].map((m) => m[1] ?? '').filter((p) => !placeholders.includes(p));
  let url: URL | null = null;
  try {
    url = new URL(template.replace(/\{[^}]*\}/g, 'x'));
  } catch {
    url = null;
  }
  if (unknown.length > 0 || !url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new ConfigError(`${name} must be an http(s) URL whose placeholders are among {${placeholders.join('}, {')}}; got ${JSON.stringify(template)}.`);
  }
  return template;
}

function trustedDocumentsMode(env: NodeJS.ProcessEnv): 'off' | 'enforce' {
  const raw = optional(env, 'TRUSTED_DOCUMENTS') ?? 'off';
  if (raw !== 'off' && raw !== 'enforce') throw new ConfigError(`TRUSTED_DOCUMENTS must be off or enforce; got ${JSON.stringify(raw)}.`);
  return raw;
}

function introspectionMode(env: NodeJS.ProcessEnv): 'authenticated' | 'off' {
  const raw = optional(env, 'INTROSPECTION') ?? 'authenticated';
  if (raw !== 'authenticated' && raw !== 'off') throw new ConfigError(`INTROSPECTION must be authenticated or off; got ${JSON.stringify(raw)}.`);
  return raw;
}

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be a whole number from ${min} to ${max}; got ${JSON.stringify(raw)}.`);
  }
  return value;
}

function optional(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const raw = env[name];
  return raw === undefined || raw.trim() === '' ? undefined : raw.trim();
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const nodeEnvRaw = env.NODE_ENV ?? 'development';
  if (nodeEnvRaw !== 'development' && nodeEnvRaw !== 'production' && nodeEnvRaw !== 'test') {
    throw new ConfigError(`NODE_ENV must be development, production or test; got ${JSON.stringify(nodeEnvRaw)}.`);
  }
  const databasePoolMax = integer(env, 'DATABASE_POOL_MAX', 10, 1, 1000);
  const config: Config = {
    nodeEnv: nodeEnvRaw,
    host: optional(env, 'HOST') ?? '0.0.0.0',
    port: integer(env, 'PORT', 4000, 0, 65535),
    databaseUrl: optional(env, 'DATABASE_URL'),
    migrationDatabaseUrl: optional(env, 'MIGRATION_DATABASE_URL'),
    databasePoolMax,
    // A connection closed after 10 s idle costs the next burst a reconnect and its prepared
    // statements again (src/db/prepared-statements.ts): p99 3× the p50 for the first requests
    // after a quiet spell (bench:load). A fixed-size pool by default, as HikariCP advises.
    databasePoolMin: integer(env, 'DATABASE_POOL_MIN', databasePoolMax, 0, databasePoolMax),
    dataDir: path.resolve(optional(env, 'DATA_DIR') ?? './data'),
    secretKey: optional(env, 'GATEHOUSE_SECRET_KEY'),
    auth: {
      jwksUrl: optional(env, 'AUTH_JWKS_URL'),
      jwtIssuer: optional(env, 'AUTH_JWT_ISSUER'),
      jwtAudience: optional(env, 'AUTH_JWT_AUDIENCE'),
      jwtSecret: optional(env, 'AUTH_JWT_SECRET'),
    },
    // Measured on PostgreSQL (bench data): an entry costs ~5 µs in the statement (a thousand, 4-6 ms),
    // whatever the request touches; one more statement a round trip (0.04 ms in the server, most of
    // a millisecond in all). Sixteen entries inline cost less than that statement.
    authzInlineOrganizations: integer(env, 'AUTHZ_INLINE_ORGANIZATIONS', 16, 0, 100_000),
    maxPageSize: integer(env, 'MAX_PAGE_SIZE', 100, 1, 10_000),
    logLevel: optional(env, 'LOG_LEVEL') ?? 'info',
    shutdownGraceMs: integer(env, 'SHUTDOWN_GRACE_MS', 10_000, 0, 600_000),
    k8s: k8sConfig(env),
    zipMaxBytes: integer(env, 'ZIP_MAX_BYTES', 20 * 1024 * 1024, 1024, 512 * 1024 * 1024),
    // A project without its dependencies has hundreds to a few thousand files and inflates to a
    // few times its zip; deflate reaches 1032:1 only on bombs (README "Configuration").
    zipMaxEntries: integer(env, 'ZIP_MAX_ENTRIES', 10_000, 1, 1_000_000),
    zipMaxUncompressedBytes: integer(env, 'ZIP_MAX_UNCOMPRESSED_BYTES', 256 * 1024 * 1024, 1024, 64 * 1024 * 1024 * 1024),
    zipMaxRatio: integer(env, 'ZIP_MAX_RATIO', 100, 1, 10_000),
    ingest: ingestConfig(env),
    limits: limitsConfig(env),
    explorerEnabled: flag(env, 'EXPLORER_ENABLED', nodeEnvRaw !== 'production'),
    metricsEnabled: flag(env, 'METRICS_ENABLED', true),
    metricsPort: optional(env, 'METRICS_PORT') === undefined ? undefined : integer(env, 'METRICS_PORT', 0, 1, 65535),
    rateLimit: rateLimitConfig(env),
    trustedDocuments: trustedDocumentsMode(env),
    introspection: introspectionMode(env),
    webhooks: webhookConfig(env, nodeEnvRaw),
    uploads: uploadConfig(env),
  };
  if (config.metricsPort !== undefined && config.metricsPort === config.port) {
    throw new ConfigError(
      `METRICS_PORT must differ from PORT (both ${config.port}): it keeps /metrics off the public port. Pick another port, or unset METRICS_PORT to serve /metrics on PORT.`,
    );
  }
  if (config.migrationDatabaseUrl && !config.databaseUrl) {
    throw new ConfigError(
      'MIGRATION_DATABASE_URL needs DATABASE_URL: the embedded PGlite has one role, which migrates and serves. Set DATABASE_URL to the PostgreSQL role the gateway runs as, or unset MIGRATION_DATABASE_URL.',
    );
  }
  if (config.auth.jwksUrl && config.auth.jwtSecret) {
    throw new ConfigError('Set either AUTH_JWKS_URL or AUTH_JWT_SECRET, not both.');
  }
  if (config.nodeEnv === 'production' && config.auth.jwtSecret) {
    throw new ConfigError('AUTH_JWT_SECRET is for development only; in production set AUTH_JWKS_URL (with AUTH_JWT_ISSUER and AUTH_JWT_AUDIENCE).');
  }
  if (config.auth.jwksUrl && (!config.auth.jwtIssuer || !config.auth.jwtAudience)) {
    throw new ConfigError('AUTH_JWKS_URL needs AUTH_JWT_ISSUER and AUTH_JWT_AUDIENCE, so that tokens minted for another service are refused.');
  }
  if (config.nodeEnv === 'production' && config.databaseUrl && !config.secretKey) {
    throw new ConfigError('GATEHOUSE_SECRET_KEY is required in production with DATABASE_URL: every replica must encrypt secrets with the same key.');
  }
  return config;
}
