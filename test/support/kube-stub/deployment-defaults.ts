import { ensureObject, isObject, isString, objectAt } from './json.js';
import type { JsonObject } from './types.js';

/**
 * SetDefaults_Deployment / SetDefaults_PodSpec / SetDefaults_Container (apps/v1, core/v1), and a
 * stand-in for the deployment controller: the stub has no controllers, so every write leaves the
 * Deployment fully rolled out (status observed, all replicas ready and available).
 */

function setDefault(obj: JsonObject, key: string, value: unknown): void {
  if (obj[key] === undefined || obj[key] === null) obj[key] = value;
}

function defaultContainer(container: JsonObject): void {
  const image = isString(container['image']) ? container['image'] : '';
  const lastSegment = image.split('/').pop() ?? '';
  const tag = image.includes('@') ? 'digest' : lastSegment.includes(':') ? lastSegment.split(':').pop() : 'latest';
  setDefault(container, 'imagePullPolicy', tag === 'latest' ? 'Always' : 'IfNotPresent');
  setDefault(container, 'terminationMessagePath', '/dev/termination-log');
  setDefault(container, 'terminationMessagePolicy', 'File');
  setDefault(container, 'resources', {});
  const ports = container['ports'];
  if (Array.isArray(ports)) for (const port of ports) if (isObject(port)) setDefault(port, 'protocol', 'TCP');
}

export function defaultDeployment(obj: JsonObject): void {
  const spec = objectAt(obj, 'spec');
  if (!spec) return;
  setDefault(spec, 'replicas', 1);
  const strategy = ensureObject(spec, 'strategy');
  setDefault(strategy, 'type', 'RollingUpdate');
  if (strategy['type'] === 'RollingUpdate') {
    const rolling = ensureObject(strategy, 'rollingUpdate');
    setDefault(rolling, 'maxUnavailable', '25%');
    setDefault(rolling, 'maxSurge', '25%');
  }
  setDefault(spec, 'revisionHistoryLimit', 10);
  setDefault(spec, 'progressDeadlineSeconds', 600);
  const podSpec = objectAt(objectAt(spec, 'template') ?? {}, 'spec');
  if (!podSpec) return;
  setDefault(podSpec, 'restartPolicy', 'Always');
  setDefault(podSpec, 'terminationGracePeriodSeconds', 30);
  setDefault(podSpec, 'dnsPolicy', 'ClusterFirst');
  setDefault(podSpec, 'securityContext', {});
  setDefault(podSpec, 'schedulerName', 'default-scheduler');
  for (const key of ['containers', 'initContainers']) {
    const list = podSpec[key];
    if (Array.isArray(list)) for (const c of list) if (isObject(c)) defaultContainer(c);
  }
}

export function generationOf(obj: JsonObject): number {
  const generation = objectAt(obj, 'metadata')?.['generation'];
  return typeof generation === 'number' ? generation : 0;
}

function replicasOf(obj: JsonObject): number {
  const replicas = objectAt(obj, 'spec')?.['replicas'];
  return typeof replicas === 'number' ? replicas : 1;
}

/** What the deployment controller would eventually write; zero counts are omitted like Go's omitempty. */
export function reconcileDeploymentStatus(obj: JsonObject, old: JsonObject | null): void {
  const generation = generationOf(obj);
  const replicas = replicasOf(obj);
  const previous = old ? objectAt(old, 'status') : undefined;
  if (previous && previous['observedGeneration'] === generation && replicasOf(old ?? {}) === replicas) {
    obj['status'] = structuredClone(previous);
    return;
  }
  const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  const name = objectAt(obj, 'metadata')?.['name'];
  const status: JsonObject = { observedGeneration: generation };
  if (replicas > 0) Object.assign(status, { replicas, updatedReplicas: replicas, readyReplicas: replicas, availableReplicas: replicas });
  status['conditions'] = [
    {
      type: 'Available',
      status: 'True',
      lastUpdateTime: now,
      lastTransitionTime: now,
      reason: 'MinimumReplicasAvailable',
      message: 'Deployment has minimum availability.',
    },
    {
      type: 'Progressing',
      status: 'True',
      lastUpdateTime: now,
      lastTransitionTime: now,
      reason: 'NewReplicaSetAvailable',
      message: `ReplicaSet "${String(name)}-stub" has successfully progressed.`,
    },
  ];
  obj['status'] = status;
}
