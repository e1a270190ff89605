import type { K8sConfig } from '../config.js';
import type { Cluster } from './cluster.js';
import { KubeCallError } from './kube-error.js';
import { namespaceManifest, registrySecretCopy } from './manifests.js';
import { kubeFailureMessage, registrySecretMissing } from './messages.js';
import { NAMESPACE_PERMISSIONS } from './required-permissions.js';

/** A provisioning step failed; the message says what to do, `retryable` whether a redeploy may just work. */
export class ProvisionError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
  }
}

export function asProvisionError(error: unknown, config: K8sConfig, organizationId: number): ProvisionError {
  if (error instanceof ProvisionError) return error;
  if (error instanceof KubeCallError) return new ProvisionError(kubeFailureMessage(error, config, organizationId), error.retryable);
  throw error;
}

/**
 * Manual mode (SPEC §5): the RoleBinding lives inside the namespace, so the gateway may not be
 * allowed to read the Namespace object, and Kubernetes answers 403 before it looks anything up.
 * Verify with what the binding grants, one SelfSubjectAccessReview per verb the deploy needs, and
 * tell "namespace missing", "binding missing" and "permission missing" apart.
 */
export async function verifyManualNamespace(cluster: Cluster, config: K8sConfig, organizationId: number, namespace: string): Promise<void> {
  const checks = NAMESPACE_PERMISSIONS.flatMap((rule) => rule.verbs.map((verb) => ({ verb, resource: rule.resource, group: rule.apiGroup })));
  const results = await Promise.all(
    checks.map(async (check) => ({ ...check, allowed: await cluster.canI(namespace, check.verb, check.resource, check.group) })),
  );
  const missing = results.filter((r) => !r.allowed);
  if (missing.length === 0) return;
  const printed = `gatehouse manifests namespace --org ${organizationId}`;
  const binding = `a RoleBinding in "${namespace}" for ServiceAccount "${config.serviceAccountName}" of "${config.namespace}"`;
  if (missing.length < results.length) {
    const lacking = missing.map((m) => `${m.verb} ${m.resource}`).join(', ');
    throw new ProvisionError(
      `Permission missing in namespace "${namespace}": the RoleBinding does not grant ${lacking}. Re-apply it from \`${printed}\`.`,
      false,
    );
  }
  let exists: boolean | undefined;
  try {
    exists = (await cluster.readNamespace(namespace)) !== null;
  } catch (error) {
    if (!(error instanceof KubeCallError && error.status === 403)) throw error;
  }
  const denied = `SelfSubjectAccessReviews for ${results.map((r) => `${r.verb} ${r.resource}`).join(', ')} in "${namespace}" were all denied`;
  if (exists === false) {
    throw new ProvisionError(
      `Namespace "${namespace}" is missing (get namespaces "${namespace}" answered 404). In manual mode (RBAC_NAMESPACE_ISOLATION=false) create it and ${binding}: \`${printed} | kubectl apply -f -\`.`,
      false,
    );
  }
  if (exists === true) {
    throw new ProvisionError(
      `Binding missing: namespace "${namespace}" exists but has no RoleBinding for the gateway (${denied}). Create ${binding}: \`${printed} | kubectl apply -f -\`.`,
      false,
    );
  }
  throw new ProvisionError(
    `Namespace "${namespace}" is missing, or has no RoleBinding for the gateway (${denied}, and get namespaces is forbidden, so the gateway cannot tell which). Create both: \`${printed} | kubectl apply -f -\`.`,
    false,
  );
}

async function copyRegistrySecret(cluster: Cluster, config: K8sConfig, organizationId: number, namespace: string): Promise<void> {
  const name = config.registrySecretName;
  if (!name) return;
  const source = await cluster.readSecret(config.namespace, name);
  if (!source) throw new ProvisionError(registrySecretMissing(config, name, namespace), false);
  await cluster.applySecret(namespace, registrySecretCopy(source, namespace, organizationId));
}

/**
 * Makes an organization namespace usable: automatic mode creates it (labelled as Gatehouse's, with
 * the organization id) when missing; manual mode verifies it. Then the registry secret is copied.
 * Every step is idempotent.
 */
export async function provisionNamespace(cluster: Cluster, config: K8sConfig, organizationId: number, namespace: string): Promise<void> {
  try {
    if (config.rbacNamespaceIsolation) {
      if (!(await cluster.readNamespace(namespace))) await cluster.createNamespace(namespaceManifest(namespace, organizationId));
    } else {
      await verifyManualNamespace(cluster, config, organizationId, namespace);
    }
    await copyRegistrySecret(cluster, config, organizationId, namespace);
  } catch (error) {
    throw asProvisionError(error, config, organizationId);
  }
}
