import type { KubernetesObject } from '@kubernetes/client-node';
import { Deployment } from 'kubernetes-models/apps/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { ClusterRole, ClusterRoleBinding, Role, RoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1';
import { ConfigMap, Namespace, Service, ServiceAccount } from 'kubernetes-models/v1';

/**
 * Validates an object against the Kubernetes OpenAPI schema of its kind (kubernetes-models 4.x,
 * the last major that runs on Node 20: 5.x needs Node 22). Throws with the schema errors.
 */
interface TypeMeta {
  apiVersion: string;
  kind: string;
}

interface ModelClass<T extends TypeMeta> {
  is(value: unknown): value is T;
  new (data: T): { validate(): void };
}

const model =
  <T extends TypeMeta>(M: ModelClass<T>) =>
  (value: unknown): boolean => {
    if (!M.is(value)) return false;
    new M(value).validate();
    return true;
  };

const MODELS = [
  model(ServiceAccount),
  model(ConfigMap),
  model(Service),
  model(Namespace),
  model(Deployment),
  model(PodDisruptionBudget),
  model(Role),
  model(RoleBinding),
  model(ClusterRole),
  model(ClusterRoleBinding),
];

export function validateObject(object: KubernetesObject | Record<string, unknown>): void {
  // JSON round trip: what `kubectl apply` would send, without undefined members.
  const plain: unknown = JSON.parse(JSON.stringify(object));
  if (!MODELS.some((validate) => validate(plain))) {
    throw new Error(`No schema for ${JSON.stringify({ apiVersion: object.apiVersion, kind: object.kind })}`);
  }
}
