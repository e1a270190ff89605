import crypto from 'node:crypto';
import type { V1Deployment, V1Namespace, V1Secret, V1Service } from '@kubernetes/client-node';
import { AUTOMATION_LABEL, MANAGED_BY, MANIFEST_HASH_ANNOTATION, ORGANIZATION_LABEL, SOURCE_ANNOTATION, VERSION_LABEL } from './labels.js';

export type AutomationSource =
  { type: 'GIT'; repository: string; cloneUrl: string; ref: string } | { type: 'ZIP'; archiveId: string; sha256: string } | { type: 'STUDIO'; sha256: string };

export interface AutomationObjectsInput {
  organizationId: number;
  automationId: string;
  version: number;
  namespace: string;
  runnerImage: string;
  registrySecretName: string | undefined;
  source: AutomationSource;
  /** Plain values for the automation's Secret: its env vars and LLM settings. */
  secretData: Record<string, string>;
}

export const deploymentName = (automationId: string) => `automation-${automationId}`;
export const secretName = (automationId: string) => `automation-${automationId}-env`;
/** The Service carries the Deployment's name: RUNNER_URL_TEMPLATE's default address is built from it. */
export const serviceName = deploymentName;
/** The port runAutomation's kickoff (and a human-in-the-loop answer) goes to. */
export const RUNNER_PORT = 8080;

export interface AutomationObjects {
  secret: V1Secret;
  deployment: V1Deployment;
  service: V1Service;
}

export function withHash<T extends { metadata?: { annotations?: Record<string, string> } }>(object: T): T {
  const hash = crypto.createHash('sha256').update(JSON.stringify(object)).digest('hex');
  return { ...object, metadata: { ...object.metadata, annotations: { ...object.metadata?.annotations, [MANIFEST_HASH_ANNOTATION]: hash } } };
}

function sourceText(source: AutomationSource): string {
  switch (source.type) {
    case 'GIT':
      return `git:${source.repository}@${source.ref}`;
    case 'ZIP':
      return `zip:sha256:${source.sha256}`;
    case 'STUDIO':
      return `studio:sha256:${source.sha256}`;
    default: {
      const unreachable: never = source;
      throw new Error(`Unknown source ${JSON.stringify(unreachable)}`);
    }
  }
}

/** Where the runtime's code is and how to verify it (README "Runner contract"); never a credential. */
function sourceEnv(source: AutomationSource): Array<{ name: string; value: string }> {
  switch (source.type) {
    case 'GIT':
      return [
        { name: 'GATEHOUSE_SOURCE_REPOSITORY', value: source.repository },
        { name: 'GATEHOUSE_SOURCE_REPOSITORY_URL', value: source.cloneUrl },
        { name: 'GATEHOUSE_SOURCE_REF', value: source.ref },
      ];
    case 'ZIP':
      return [{ name: 'GATEHOUSE_SOURCE_ARCHIVE_SHA256', value: source.sha256 }];
    case 'STUDIO':
      return [{ name: 'GATEHOUSE_SOURCE_DEFINITION_SHA256', value: source.sha256 }];
    default: {
      const unreachable: never = source;
      throw new Error(`Unknown source ${JSON.stringify(unreachable)}`);
    }
  }
}

/** An isolated organization's namespace, labelled as Gatehouse's with the organization id. */
export function namespaceManifest(name: string, organizationId: number): V1Namespace {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { ...MANAGED_BY, [ORGANIZATION_LABEL]: String(organizationId) } } };
}

/** The registry pull secret, copied from the shared namespace into an organization namespace. */
export function registrySecretCopy(source: V1Secret, namespace: string, organizationId: number): V1Secret {
  return withHash<V1Secret>({
    apiVersion: 'v1',
    kind: 'Secret',
    type: source.type ?? 'kubernetes.io/dockerconfigjson',
    metadata: { name: source.metadata?.name ?? '', namespace, labels: { ...MANAGED_BY, [ORGANIZATION_LABEL]: String(organizationId) } },
    data: source.data ?? {},
  });
}

/**
 * The Secret, Deployment and Service of one automation version (SPEC §5 "apply the automation's
 * objects"). The Service gives the runner a stable in-cluster address for kickoffs.
 */
export function automationObjects(input: AutomationObjectsInput): AutomationObjects {
  const labels = { ...MANAGED_BY, [ORGANIZATION_LABEL]: String(input.organizationId), [AUTOMATION_LABEL]: input.automationId };
  // Every object carries its version: a write compares it first and never replaces a newer one
  // (Cluster.apply), so concurrent deploys cannot leave an older version running.
  const versioned = { ...labels, [VERSION_LABEL]: String(input.version) };
  const data = Object.fromEntries(Object.entries(input.secretData).map(([key, value]) => [key, Buffer.from(value, 'utf8').toString('base64')]));
  const secret = withHash<V1Secret>({
    apiVersion: 'v1',
    kind: 'Secret',
    type: 'Opaque',
    metadata: { name: secretName(input.automationId), namespace: input.namespace, labels: versioned },
    data,
  });
  const deployment = withHash<V1Deployment>({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: deploymentName(input.automationId),
      namespace: input.namespace,
      labels: versioned,
      annotations: { [SOURCE_ANNOTATION]: sourceText(input.source) },
    },
    spec: {
      replicas: 1,
      selector: { matchLabels: { [AUTOMATION_LABEL]: input.automationId } },
      template: {
        metadata: { labels: versioned, annotations: { [SOURCE_ANNOTATION]: sourceText(input.source) } },
        spec: {
          ...(input.registrySecretName ? { imagePullSecrets: [{ name: input.registrySecretName }] } : {}),
          automountServiceAccountToken: false,
          securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
          containers: [
            {
              name: 'runner',
              image: input.runnerImage,
              envFrom: [{ secretRef: { name: secretName(input.automationId) } }],
              env: [
                { name: 'GATEHOUSE_ORGANIZATION_ID', value: String(input.organizationId) },
                { name: 'GATEHOUSE_AUTOMATION_ID', value: input.automationId },
                { name: 'GATEHOUSE_AUTOMATION_VERSION', value: String(input.version) },
                ...sourceEnv(input.source),
              ],
              ports: [{ name: 'http', containerPort: RUNNER_PORT }],
              resources: { requests: { cpu: '100m', memory: '256Mi' }, limits: { memory: '1Gi' } },
              securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
            },
          ],
        },
      },
    },
  });
  const service = withHash<V1Service>({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: serviceName(input.automationId), namespace: input.namespace, labels: versioned },
    spec: {
      type: 'ClusterIP',
      // Every version's pods: a rollout keeps the address, and the newest ready pod answers.
      selector: { [AUTOMATION_LABEL]: input.automationId },
      ports: [{ name: 'http', port: RUNNER_PORT, targetPort: 'http', protocol: 'TCP' }],
    },
  });
  return { secret, deployment, service };
}

/**
 * The manifests as stored on the deployment record and shown in the API: a Secret keeps its keys
 * but never its values, nor the hash over them (a hash of a short value can be guessed).
 */
export function redacted(objects: AutomationObjects): Record<string, unknown>[] {
  const { secret, deployment, service } = objects;
  const annotations = { ...secret.metadata?.annotations, [MANIFEST_HASH_ANNOTATION]: '(redacted)' };
  const data = Object.fromEntries(Object.keys(secret.data ?? {}).map((key) => [key, '(redacted)']));
  return [
    JSON.parse(JSON.stringify({ ...secret, metadata: { ...secret.metadata, annotations }, data })),
    JSON.parse(JSON.stringify(deployment)),
    JSON.parse(JSON.stringify(service)),
  ];
}
