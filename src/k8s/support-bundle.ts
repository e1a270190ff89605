import type { KubernetesObject } from '@kubernetes/client-node';
import type { K8sConfig } from '../config.js';
import { GATEWAY_NAME } from './gateway-manifests.js';
import { GATEWAY_LABELS } from './gateway-manifests-rbac.js';
import { AUTOMATION_LABEL, MANAGED_BY, ORGANIZATION_LABEL } from './labels.js';

/**
 * `gatehouse manifests support-bundle` (seed "Support Bundle Configuration"): a troubleshoot.sh
 * SupportBundle (apiVersion troubleshoot.sh/v1beta2) that collects from the shared namespace and
 * every organization namespace, for `kubectl support-bundle`. Pure: namespaces in, object out.
 *
 * What it collects, and why no Secret content is in it:
 * - `clusterInfo`, and `clusterResources` restricted to Gatehouse's namespaces. clusterResources
 *   never writes Secret objects: it lists Secrets only to report, for image pull secrets
 *   (`kubernetes.io/dockerconfigjson`), each registry's host name and user name, not the
 *   password (troubleshoot's pkg/collect/cluster_resources.go, imagePullSecrets). Automation env
 *   vars and keys reach pods by `envFrom: secretRef`, so pod and Deployment specs name the Secret
 *   without its values.
 * - `logs` selected by the labels Gatehouse puts on what it creates (src/k8s/labels.ts): the
 *   gateway's own pods, and the automation pods in each namespace.
 * - No `secret` collector (it is the one that can read values, with `includeValue`), and no
 *   `exec`, `copy` or `run` collector.
 */

export const SUPPORT_BUNDLE_API_VERSION = 'troubleshoot.sh/v1beta2';

/** How much of each pod's log: the last three days, at most 10,000 lines. */
const LOG_LIMITS = { maxAge: '72h', maxLines: 10_000 } as const;

type Collector =
  | { clusterInfo: Record<string, never> }
  | { clusterResources: { namespaces: string[] } }
  | { logs: { collectorName: string; name: string; namespace: string; selector: string[]; limits: typeof LOG_LIMITS } };

interface Outcome {
  fail?: { when?: string; message: string };
  pass?: { when?: string; message: string };
}

type Analyzer =
  | { deploymentStatus: { checkName: string; name: string; namespace: string; outcomes: Outcome[] } }
  | { clusterPodStatuses: { checkName: string; namespaces: string[]; outcomes: Outcome[] } };

export interface SupportBundle extends KubernetesObject {
  apiVersion: typeof SUPPORT_BUNDLE_API_VERSION;
  kind: 'SupportBundle';
  metadata: { name: string };
  spec: { collectors: Collector[]; analyzers: Analyzer[] };
}

const label = (key: string, value: string) => `${key}=${value}`;
const managedBy = Object.entries(MANAGED_BY).map(([key, value]) => label(key, value));

function automationLogs(namespace: string, organizationId: number | null): Collector {
  // `key` alone selects every pod carrying the label: every automation's pods, whatever its id.
  const selector = [...managedBy, AUTOMATION_LABEL, ...(organizationId === null ? [] : [label(ORGANIZATION_LABEL, String(organizationId))])];
  return { logs: { collectorName: `gatehouse-automations-${namespace}`, name: `gatehouse/automations/${namespace}`, namespace, selector, limits: LOG_LIMITS } };
}

/**
 * The bundle for the shared namespace (`config.namespace`: the gateway and the automations of
 * organizations without isolation) and `organizations`, each `{K8S_NAMESPACE}-org-{id}`.
 */
export function supportBundle(config: K8sConfig, organizations: ReadonlyArray<{ organizationId: number; namespace: string }>): SupportBundle {
  const shared = config.namespace;
  const namespaces = [shared, ...organizations.map((o) => o.namespace).filter((ns) => ns !== shared)];
  const gatewaySelector = Object.entries(GATEWAY_LABELS).map(([key, value]) => label(key, value));
  return {
    apiVersion: SUPPORT_BUNDLE_API_VERSION,
    kind: 'SupportBundle',
    metadata: { name: `gatehouse-${shared}` },
    spec: {
      collectors: [
        { clusterInfo: {} },
        { clusterResources: { namespaces } },
        { logs: { collectorName: 'gatehouse-gateway', name: 'gatehouse/gateway', namespace: shared, selector: gatewaySelector, limits: LOG_LIMITS } },
        automationLogs(shared, null),
        ...organizations.filter((o) => o.namespace !== shared).map((o) => automationLogs(o.namespace, o.organizationId)),
      ],
      analyzers: [
        {
          deploymentStatus: {
            checkName: 'Gatehouse gateway',
            name: GATEWAY_NAME,
            namespace: shared,
            outcomes: [
              { fail: { when: 'absent', message: `The gateway's Deployment is not in "${shared}": apply \`gatehouse manifests\`.` } },
              {
                fail: {
                  when: '< 1',
                  message: `The gateway has no ready replica: \`kubectl -n ${shared} describe deployment ${GATEWAY_NAME}\` and its pods' logs in gatehouse/gateway.`,
                },
              },
              { pass: { message: 'The gateway has ready replicas.' } },
            ],
          },
        },
        {
          clusterPodStatuses: {
            checkName: 'Gatehouse pods',
            namespaces,
            outcomes: [
              { fail: { when: '!= Healthy', message: 'Pod {{ .Namespace }}/{{ .Name }} is unhealthy ({{ .Status.Reason }}): {{ .Status.Message }}' } },
            ],
          },
        },
      ],
    },
  };
}
