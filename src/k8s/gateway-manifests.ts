import type { KubernetesObject, V1ConfigMap, V1Deployment, V1EnvVar, V1PodDisruptionBudget, V1Service, V1ServiceAccount } from '@kubernetes/client-node';
import type { Config } from '../config.js';
import { clusterRbac, deployerRole, GATEWAY_LABELS } from './gateway-manifests-rbac.js';

export { organizationNamespaceManifests } from './gateway-manifests-rbac.js';

/**
 * `gatehouse manifests` (issue 6 item 8): the gateway's own deployment, from the same settings as
 * the environment. Pure: objects in, no I/O; the CLI serializes them. Secrets are referenced by
 * name and key, never inlined: nothing here reads DATABASE_URL or GATEHOUSE_SECRET_KEY.
 */

/** Deployment and Service name; INGEST_BASE_URL's default (`http://gatehouse.{ns}.svc…:4000`) relies on it. */
export const GATEWAY_NAME = 'gatehouse';
/** The Secret the operator creates in K8S_NAMESPACE, with the keys below. */
export const GATEWAY_SECRET_NAME = 'gatehouse-secrets';
export const SECRET_KEYS = ['DATABASE_URL', 'GATEHOUSE_SECRET_KEY'] as const;
export const GATEWAY_PORT = 4000;
/**
 * Where the pods serve /metrics (METRICS_PORT): a container port the Service does not list, so
 * that the public Service never exposes the metrics; Prometheus scrapes the pods directly (the
 * annotations below). 9464 is the port OpenTelemetry's Prometheus exporter uses by default.
 */
export const GATEWAY_METRICS_PORT = 9464;
/** The image's user and group (the Dockerfile's `USER 10001:10001`): numeric, so that runAsNonRoot can be checked. */
export const GATEWAY_UID = 10001;

/** Seconds Kubernetes waits after SIGTERM: the configured grace plus time for the pool to close. */
export const terminationGraceSeconds = (config: Config) => Math.ceil(config.shutdownGraceMs / 1000) + 15;

/** The manifests' metrics port: METRICS_PORT when set (and not the gateway's port), else GATEWAY_METRICS_PORT; none with METRICS_ENABLED=false. */
export function metricsPortOf(config: Config): number | undefined {
  if (!config.metricsEnabled) return undefined;
  return config.metricsPort !== undefined && config.metricsPort !== GATEWAY_PORT ? config.metricsPort : GATEWAY_METRICS_PORT;
}

/** The non-secret settings, as the running gateway reads them. */
export function gatewaySettings(config: Config): Record<string, string> {
  const { k8s } = config;
  const optional = (name: string, value: string | undefined): Record<string, string> => (value === undefined ? {} : { [name]: value });
  const metricsPort = metricsPortOf(config);
  return {
    NODE_ENV: 'production',
    HOST: '0.0.0.0',
    PORT: String(GATEWAY_PORT),
    ...(metricsPort === undefined ? { METRICS_ENABLED: 'false' } : { METRICS_PORT: String(metricsPort) }),
    // Writable emptyDir: the root filesystem is read-only. The image's own default (Dockerfile).
    DATA_DIR: '/tmp/gatehouse',
    LOG_LEVEL: config.logLevel,
    SHUTDOWN_GRACE_MS: String(config.shutdownGraceMs),
    DATABASE_POOL_MAX: String(config.databasePoolMax),
    DATABASE_POOL_MIN: String(config.databasePoolMin),
    MAX_PAGE_SIZE: String(config.maxPageSize),
    ZIP_MAX_BYTES: String(config.zipMaxBytes),
    OTLP_MAX_BYTES: String(config.ingest.maxBytes),
    OTLP_MAX_SPANS_PER_REQUEST: String(config.ingest.maxSpansPerRequest),
    OTLP_ATTRIBUTE_VALUE_LENGTH_LIMIT: String(config.ingest.attributeValueLength),
    OTLP_ATTRIBUTE_COUNT_LIMIT: String(config.ingest.attributeCount),
    OTLP_SPAN_EVENT_COUNT_LIMIT: String(config.ingest.eventCount),
    OTLP_SPAN_LINK_COUNT_LIMIT: String(config.ingest.linkCount),
    OTLP_SPAN_MAX_BYTES: String(config.ingest.spanBytes),
    OTLP_SOURCE_MAX_BYTES: String(config.ingest.sourceBytes),
    OTLP_RATE_LIMIT_SPANS: String(config.ingest.rateLimitSpans),
    OTLP_RATE_LIMIT_WINDOW_SECONDS: String(config.ingest.rateLimitWindowSeconds),
    TRACE_RETENTION_DAYS: String(config.ingest.retentionDays),
    TRACE_PRUNE_INTERVAL_MINUTES: String(config.ingest.pruneIntervalMinutes),
    ...optional('AUTH_JWKS_URL', config.auth.jwksUrl),
    ...optional('AUTH_JWT_ISSUER', config.auth.jwtIssuer),
    ...optional('AUTH_JWT_AUDIENCE', config.auth.jwtAudience),
    K8S_NAMESPACE: k8s.namespace,
    RBAC_NAMESPACE_ISOLATION: String(k8s.rbacNamespaceIsolation),
    KUBE_CONFIG_SOURCE: 'in-cluster',
    K8S_REQUEST_TIMEOUT_MS: String(k8s.requestTimeoutMs),
    K8S_ROLLOUT_TIMEOUT_MS: String(k8s.rolloutTimeoutMs),
    K8S_SERVICE_ACCOUNT: k8s.serviceAccountName,
    ...optional('REGISTRY_SECRET_NAME', k8s.registrySecretName),
    RUNNER_IMAGE: k8s.runnerImage,
    INGEST_BASE_URL: k8s.ingestBaseUrl,
    HITL_FORWARD_URL_TEMPLATE: k8s.hitlForwardUrlTemplate,
    HITL_FORWARD_TIMEOUT_MS: String(k8s.hitlForwardTimeoutMs),
    RUNNER_URL_TEMPLATE: k8s.runnerUrlTemplate,
    RUNNER_TIMEOUT_MS: String(k8s.runnerTimeoutMs),
  };
}

function deployment(config: Config, labels: Record<string, string>): V1Deployment {
  const { k8s } = config;
  const secretEnv: V1EnvVar[] = SECRET_KEYS.map((key) => ({ name: key, valueFrom: { secretKeyRef: { name: GATEWAY_SECRET_NAME, key } } }));
  const probe = (path: string, periodSeconds: number, failureThreshold: number) => ({
    httpGet: { path, port: 'http' },
    periodSeconds,
    timeoutSeconds: 3,
    failureThreshold,
  });
  const metricsPort = metricsPortOf(config);
  // The common Prometheus convention (kubernetes-pods scrape jobs); a ServiceMonitor can select the
  // pods by the `metrics` port name instead.
  const scrape =
    metricsPort === undefined
      ? {}
      : { annotations: { 'prometheus.io/scrape': 'true', 'prometheus.io/port': String(metricsPort), 'prometheus.io/path': '/metrics' } };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: GATEWAY_NAME, namespace: k8s.namespace, labels },
    spec: {
      replicas: k8s.gatewayReplicas,
      selector: { matchLabels: labels },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
      template: {
        metadata: { labels, ...scrape },
        spec: {
          serviceAccountName: k8s.serviceAccountName,
          // The gateway talks to the Kubernetes API with this ServiceAccount's token (KUBE_CONFIG_SOURCE=in-cluster).
          automountServiceAccountToken: true,
          terminationGracePeriodSeconds: terminationGraceSeconds(config),
          ...(k8s.registrySecretName ? { imagePullSecrets: [{ name: k8s.registrySecretName }] } : {}),
          securityContext: { runAsNonRoot: true, runAsUser: GATEWAY_UID, runAsGroup: GATEWAY_UID, seccompProfile: { type: 'RuntimeDefault' } },
          topologySpreadConstraints: [
            { maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: labels } },
          ],
          containers: [
            {
              name: 'gateway',
              image: k8s.gatewayImage,
              // No command or args: the image's ENTRYPOINT, `node dist/src/main.js`, runs.
              ports: [
                { name: 'http', containerPort: GATEWAY_PORT, protocol: 'TCP' },
                ...(metricsPort === undefined ? [] : [{ name: 'metrics', containerPort: metricsPort, protocol: 'TCP' }]),
              ],
              envFrom: [{ configMapRef: { name: GATEWAY_NAME } }],
              env: secretEnv,
              readinessProbe: probe('/readyz', 5, 3),
              livenessProbe: { ...probe('/healthz', 10, 3), initialDelaySeconds: 10 },
              resources: { requests: { cpu: '250m', memory: '256Mi' }, limits: { memory: '512Mi' } },
              securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ['ALL'] } },
              // The only writable path: DATA_DIR, and anything else the server writes (npm run image:check).
              volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
            },
          ],
          volumes: [{ name: 'tmp', emptyDir: { sizeLimit: '64Mi' } }],
        },
      },
    },
  };
}

/**
 * Every object of the gateway's deployment, in apply order: ServiceAccount; ClusterRole and
 * ClusterRoleBinding in automatic mode only; Role and RoleBinding in K8S_NAMESPACE (read the
 * registry secret, deploy into the shared namespace); ConfigMap; Deployment; PodDisruptionBudget; Service.
 */
export function gatewayManifests(config: Config): KubernetesObject[] {
  const { k8s } = config;
  const labels: Record<string, string> = { ...GATEWAY_LABELS };
  const metadata = { name: GATEWAY_NAME, namespace: k8s.namespace, labels };
  const serviceAccount: V1ServiceAccount = { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { ...metadata, name: k8s.serviceAccountName } };
  const configMap: V1ConfigMap = { apiVersion: 'v1', kind: 'ConfigMap', metadata, data: gatewaySettings(config) };
  const budget: V1PodDisruptionBudget = {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata,
    spec: { minAvailable: 1, selector: { matchLabels: labels } },
  };
  const service: V1Service = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata,
    spec: {
      type: 'ClusterIP',
      selector: labels,
      // Not the metrics port: the Service is how clients reach the gateway, and /metrics is not for them.
      ports: [
        { name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' },
        // INGEST_BASE_URL's default address (automation pods' traces and human-in-the-loop requests).
        { name: 'ingest', port: GATEWAY_PORT, targetPort: 'http', protocol: 'TCP' },
      ],
    },
  };
  return [
    serviceAccount,
    ...(k8s.rbacNamespaceIsolation ? clusterRbac(k8s) : []),
    ...deployerRole(k8s, k8s.namespace, labels),
    configMap,
    deployment(config, labels),
    budget,
    service,
  ];
}
